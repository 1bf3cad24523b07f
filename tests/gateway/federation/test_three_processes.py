"""Three real gateway processes (province, city, county) on loopback, separate databases.

Linked with the CLI (``deploy/federation/levels.py``), each runs its jobs in process; the
federation job syncs every two seconds. A county query is answered via the province, and each
level's evidence verifies with ``alliance evidence verify --rpc`` against that level's own
chain; the county's record verifies at the province through the relayed checkpoints
(``alliance sync verify``). Then the city is killed: county queries fail with evidence, the
county keeps logging, and once the city is back everything it logged is checkpointed up to
the province, each checkpoint once.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from gateway.providers.samples import sample_queries
from tests.federation_support import TITLE_FIELDS, TITLE_MATTER

ROOT = Path(__file__).resolve().parents[3]
ENTRY = "R320000:NRD-TITLE"
pytestmark = pytest.mark.slow


def _levels_module() -> ModuleType:
    name = "alliance_deploy_federation_levels"
    if name not in sys.modules:
        path = ROOT / "deploy" / "federation" / "levels.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def levels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with _levels_module().Levels(tmp_path_factory.mktemp("levels"), 3, 2.0) as running:
        yield running


def _until(what: str, check: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _token(level: Any, code: str) -> str:
    credentials = json.loads((level.data_dir / "credentials" / f"{code}.json").read_text())
    answer = requests.post(
        level.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(credentials["client_id"], credentials["client_secret"]),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _get(level: Any, path: str, code: str = "GAO") -> Any:
    answer = requests.get(
        level.url + path, headers={"Authorization": f"Bearer {_token(level, code)}"}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _grant(
    levels: Any, index: int, consumer: str, entry_id: str, fields: list[str], days: int
) -> None:
    args = ["--consumer", consumer, "--entry", entry_id, "--matter", TITLE_MATTER]
    args += ["--purpose", "契税申报"] + [f"--field={name}" for name in fields]
    applied = json.loads(
        levels.alliance(index, "grants", "apply", *args, "--days", str(days)).stdout
    )
    levels.alliance(index, "grants", "approve", applied["id"])


def _mirrored(levels: Any, index: int) -> bool:
    shown = levels.alliance(index, "catalog", "show", ENTRY, check=False)
    return shown.returncode == 0


def _ask(level: Any) -> requests.Response:
    sample = next(q for q in sample_queries(2026) if q["consumer"] == "TAX")
    return requests.post(
        level.url + f"/api/v1/query/{ENTRY}",
        json={"purpose": TITLE_MATTER, "params": sample["params"]},
        headers={"Authorization": f"Bearer {_token(level, 'TAX')}"},
        timeout=60,
    )


def _relayed(levels: Any, node: str) -> list[int]:
    items = _get(levels.levels[0], f"/api/v1/federation/checkpoints?node={node}&limit=500")
    return sorted(item["tree_size"] for item in items["items"])


def _anchored_records(level: Any) -> int:
    status = _get(level, "/api/v1/federation/status")
    return int(status["parent"]["anchored_records"])


@pytest.fixture(scope="module")
def answered(levels: Any) -> dict[str, Any]:
    _grant(levels, 0, "R320100", "NRD-TITLE", TITLE_FIELDS, 30)
    _until("the city to mirror the province's entry", lambda: _mirrored(levels, 1))
    _grant(levels, 1, "R320102", ENTRY, TITLE_FIELDS[:4], 20)
    _until("the county to mirror it through the city", lambda: _mirrored(levels, 2))
    _until("the city's grant to reach the county", lambda: _grant_ready(levels))
    answer = _ask(levels.levels[2])
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _grant_ready(levels: Any) -> bool:
    try:
        _grant(levels, 2, "TAX", ENTRY, TITLE_FIELDS[:3], 10)
    except subprocess.CalledProcessError:  # the city's grant has not been pulled yet
        return False
    return True


def test_a_county_query_is_answered_via_the_province(answered: dict[str, Any]) -> None:
    assert [hop["node"] for hop in answered["upstream"]] == ["R320100", "R320000"]
    assert answered["upstream"][1]["receipt"]["provider"] == "NRD"
    assert set(answered["data"]) >= {"certificate_number", "location", "area"}


def test_the_evidence_verifies_at_the_county_and_at_the_province(
    levels: Any, answered: dict[str, Any], tmp_path: Path
) -> None:
    county, province = levels.levels[2], levels.levels[0]
    answer_file = tmp_path / "answer.json"
    answer_file.write_text(json.dumps(answered, ensure_ascii=False))

    def county_verifies() -> Any:
        result = levels.alliance(
            2, "evidence", "verify", str(answer_file), "--rpc", county.rpc_url(), check=False
        )
        return result.returncode == 0 and json.loads(result.stdout)

    report = _until("the county's record to be anchored and verify", county_verifies)
    assert "anchored_root" in {check["name"] for check in report["checks"]}
    hop = answered["upstream"][1]
    receipt_file, proof_file = tmp_path / "province-receipt.json", tmp_path / "province.json"
    receipt_file.write_text(json.dumps(hop["receipt"]))

    def province_verifies() -> Any:
        evidence = _get(province, f"/api/v1/evidence/{hop['request_id']}")
        if evidence["proof"] is None:
            return False
        proof_file.write_text(json.dumps(evidence))
        result = levels.alliance(
            0,
            "evidence",
            "verify",
            str(receipt_file),
            "--proof",
            str(proof_file),
            "--rpc",
            province.rpc_url(),
            check=False,
        )
        return result.returncode == 0 and json.loads(result.stdout)

    assert _until("the province's record to verify", province_verifies)["ok"] is True
    at_county_key = levels.alliance(
        2, "evidence", "verify", str(receipt_file), "--proof", str(proof_file), check=False
    )
    assert at_county_key.returncode == 1  # the county's key did not sign the province's receipt


def test_the_county_record_verifies_at_the_province_through_the_checkpoints(
    levels: Any, answered: dict[str, Any], tmp_path: Path
) -> None:
    proof_file = tmp_path / "proof.json"

    def relayed() -> bool:
        made = levels.alliance(
            2, "sync", "proof", answered["request_id"], "--out", str(proof_file), check=False
        )
        if made.returncode != 0:
            return False
        size = json.loads(proof_file.read_text())["inclusion"]["tree_size"]
        return size in _relayed(levels, "R320102")

    _until("the county's checkpoint to be relayed to the province", relayed, 90)
    verified = levels.alliance(0, "sync", "verify", str(proof_file), check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    checks = {c["name"]: c for c in json.loads(verified.stdout)["checks"]}
    assert "via R320100" in checks["anchored_checkpoint"]["detail"]


def test_sync_status_shows_the_lag_of_each_child(levels: Any, answered: dict[str, Any]) -> None:
    status = json.loads(levels.alliance(0, "sync", "status").stdout)
    rows = {row["node"]: row for row in status["children"]}
    assert rows["R320100"]["via"] is None and rows["R320102"]["via"] == "R320100"
    for row in rows.values():
        assert isinstance(row["checkpoint_lag_seconds"], float)
    assert rows["R320100"]["catalog_current"] is True
    city = json.loads(levels.alliance(1, "sync", "status").stdout)
    assert city["parent"]["node"] == "R320000"
    assert [row["node"] for row in city["children"]] == ["R320102"]


def test_with_the_city_down_the_county_keeps_logging_and_catches_up_once(
    levels: Any, answered: dict[str, Any]
) -> None:
    county = levels.levels[2]
    levels.stop(1)
    try:
        refused = [_ask(county) for _ in range(5)]
        assert {r.status_code for r in refused} == {503}
        assert {r.json()["code"] for r in refused} == {"upstream_unavailable"}
        _until("the county to anchor its refusals", lambda: _anchored_records(county) >= 6)
        down = json.loads(levels.alliance(2, "sync", "status").stdout)["parent"]
        assert down["records_not_checkpointed"] >= 5
    finally:
        levels.start(1)
    logged = _anchored_records(county)
    _until(
        "every county record to be checkpointed up to the province",
        lambda: _relayed(levels, "R320102") and max(_relayed(levels, "R320102")) >= logged,
        120,
    )
    sizes = _relayed(levels, "R320102")
    assert len(sizes) == len(set(sizes)) and sizes == sorted(sizes)
    status = json.loads(levels.alliance(2, "sync", "status").stdout)["parent"]
    assert status["records_not_checkpointed"] == 0
    assert _ask(county).status_code == 200
