"""Receipt status tables against FISCO's documented 2.x and 3.x status codes."""

from __future__ import annotations

import json
from pathlib import Path

from gateway.chain.status import FISCO2_STATUS, FISCO3_STATUS, is_revert, status_name

CODES = json.loads(
    (Path(__file__).resolve().parents[2] / "data" / "fisco_status_codes.json").read_text("utf-8")
)


def test_2x_receipt_statuses_match_the_documentation() -> None:
    for entry in CODES["fisco2"]["receipt_status"]:
        assert FISCO2_STATUS[entry["status"]] == entry["message"]
        assert int(entry["status_hex"], 16) == entry["status"]


def test_3x_receipt_statuses_match_the_documentation() -> None:
    for entry in CODES["fisco3"]["receipt_status"]:
        assert FISCO3_STATUS[entry["status"]] == entry["name"]
    for entry in CODES["fisco3"]["receipt_status_only_in_python_sdk_table"]:
        assert FISCO3_STATUS[entry["status"]] == entry["python_sdk_bcos3_name"]


def test_the_same_number_means_different_things_per_version() -> None:
    assert status_name(22, 2) == "RevertInstruction" and is_revert(22, 2)
    assert status_name(16, 3) == "RevertInstruction" and is_revert(16, 3)
    assert status_name(16, 2) == "BlockLimitCheckFail" and not is_revert(16, 2)
    assert status_name(22, 3) == "AccountFrozen"
    assert status_name(424242, 3) == "Status424242"
