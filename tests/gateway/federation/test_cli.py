"""``alliance sync``: joining through the two files, then status, proof and verify."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from gateway.cli.main import main
from gateway.providers.samples import sample_queries
from tests.federation_support import (
    TITLE_FIELDS,
    TITLE_MATTER,
    Level,
    hierarchy,
    level_environ,
)

ENTRY = "R320000:NRD-TITLE"


@pytest.fixture
def unlinked(level_templates: dict[str, Path], tmp_path: Path) -> Iterator[list[Level]]:
    with hierarchy(level_templates, tmp_path, depth=2, linked=False) as levels:
        yield levels


def _alliance(level: Level, *args: str) -> Result:
    settings = level.settings
    environ = level_environ(
        settings.data_dir, level.node, settings.federation.name, int(level.url.rsplit(":", 1)[1])
    )
    return CliRunner().invoke(main, list(args), env=environ, catch_exceptions=False)


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_two_operators_link_their_gateways_and_a_record_verifies_above(
    unlinked: list[Level], tmp_path: Path
) -> None:
    province, city = unlinked
    identity, link, proof = (tmp_path / name for name in ("id.json", "link.json", "proof.json"))
    assert _alliance(city, "sync", "identity", "--out", str(identity)).exit_code == 0
    assert json.loads(identity.read_text())["node"] == "R320100"
    added = _alliance(province, "sync", "children", "add", str(identity), "--out", str(link))
    assert added.exit_code == 0, added.output
    again = _alliance(province, "sync", "children", "add", str(identity))
    assert json.loads(again.output)["client_id"] == json.loads(link.read_text())["client_id"]
    joined = _json(_alliance(city, "sync", "join", str(link)))
    assert joined["parent"] == "R320000"
    assert joined["key_id"] == json.loads(link.read_text())["signature"]["key_id"]
    assert [c["node"] for c in _json(_alliance(province, "sync", "children", "list"))] == [
        "R320100"
    ]
    province.grant("R320100", "NRD-TITLE", TITLE_FIELDS, days=30)
    ran = _json(_alliance(city, "sync", "run"))
    assert ENTRY in ran["pull"]["published"]
    city.grant("TAX", ENTRY, TITLE_FIELDS[:2], days=10)
    sample = next(q for q in sample_queries(2026) if q["consumer"] == "TAX")
    answer = city.query("TAX", ENTRY, {"purpose": TITLE_MATTER, "params": sample["params"]})
    request_id = answer.get_json()["request_id"]
    city.anchor()
    assert _json(_alliance(city, "sync", "run"))["push"]["tree_size"] == 1
    status = _json(_alliance(province, "sync", "status"))
    [child] = status["children"]
    assert child["node"] == "R320100" and child["checkpoint"]["tree_size"] == 1
    assert _alliance(city, "sync", "proof", request_id, "--out", str(proof)).exit_code == 0
    verified = _alliance(province, "sync", "verify", str(proof))
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.output)["ok"] is True
    endpoint = json.loads((province.settings.data_dir / "chain" / "endpoint.json").read_text())
    deployment = json.loads((province.settings.data_dir / "deployment.json").read_text())
    ledger = deployment["contracts"]["FederationLedger"]["address"]
    anywhere = _alliance(
        city, "sync", "verify", str(proof), "--rpc", endpoint["url"], "--contract", ledger
    )
    assert anywhere.exit_code == 0, anywhere.output  # the province's chain, from the city's host
    checkpoints = _json(_alliance(province, "sync", "checkpoints", "--node", "R320100"))
    assert [c["tree_size"] for c in checkpoints] == [1]
    bundle = json.loads(proof.read_text())
    bundle["receipt"]["consumer"] = "COURT"
    proof.write_text(json.dumps(bundle))
    forged = _alliance(province, "sync", "verify", str(proof))
    assert forged.exit_code == 1
    assert "receipt_signature" in forged.output


def test_commands_say_what_is_missing(unlinked: list[Level], tmp_path: Path) -> None:
    province, city = unlinked
    not_joined = _alliance(city, "sync", "run")
    assert not_joined.exit_code == 1
    assert "federation_not_configured" in not_joined.output
    unreadable = _alliance(city, "sync", "join", str(tmp_path / "missing.json"))
    assert unreadable.exit_code == 2
    identity = tmp_path / "id.json"
    _alliance(province, "sync", "identity", "--out", str(identity))
    itself = _alliance(province, "sync", "children", "add", str(identity))
    assert itself.exit_code == 1 and "malformed_federation_document" in itself.output
    assert "this gateway itself" in itself.output
    alerts = _alliance(city, "sync", "status", "--fail-on-alert")
    assert alerts.exit_code == 0  # not joined and no children: nothing can lag
