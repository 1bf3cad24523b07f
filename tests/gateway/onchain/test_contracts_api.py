"""The contract registry over HTTP: what is deployed, whether the chain agrees, downloads."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from gateway.onchain.artifacts import artifacts_dir
from gateway.onchain.deployment import Deployment
from tests.live_gateway import LiveGateway

Credentials = Callable[[str], dict[str, Any]]
NAMES = [
    "AccessGrants",
    "DataCatalog",
    "EvidenceLedger",
    "FederationLedger",
    "MemberRegistry",
    "RecordStore",
    "Supervision",
    "TransferCase",
]


def test_office_sees_every_deployed_contract_active(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    token = live.token(member_credentials("GAO"))
    response = live.get("/api/v1/contracts", token)
    assert response.status_code == 200, response.text
    items = {item["name"]: item for item in response.json()["items"]}
    assert sorted(items) == NAMES
    deployment = Deployment.load(live.settings.data_dir / "deployment.json")
    for name, item in items.items():
        deployed = deployment.contracts[name]
        assert item["status"] == "active", item
        assert item["address"] == deployed.address
        assert item["deploy_tx"] == deployed.tx_hash
        assert item["source_hash"] == deployed.source_hash == item["artefact_source_hash"]
        assert item["version"] == deployed.source_hash[2:12]
        assert item["deployer"] == deployment.deployer
        assert (item["suite"], item["chain_id"], item["group_id"]) == ("sm", "1", "1")
        assert item["selector_hash"] == "keccak"
        assert item["code_hash"].startswith("0x") and len(item["code_hash"]) == 66
        assert item["deployed_at"].startswith(deployment.deployed_at[:10])
        assert "abi" not in item

    detail = live.get("/api/v1/contracts/RecordStore", token).json()
    functions = {entry["name"] for entry in detail["abi"] if entry["type"] == "function"}
    assert {"putVersion", "authoriseWriter"} <= functions


def test_artefact_download_is_the_committed_build(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    token = live.token(member_credentials("GAO"))
    response = live.get("/api/v1/contracts/MemberRegistry/artefact", token)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="MemberRegistry.json"'
    committed = (artifacts_dir() / "MemberRegistry.json").read_bytes()
    assert response.content == committed
    assert response.headers["ETag"] == f'"{hashlib.sha256(committed).hexdigest()}"'
    assert json.loads(response.content)["contractName"] == "MemberRegistry"


def test_a_deployment_pointing_at_other_code_is_flagged(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    path = live.settings.data_dir / "deployment.json"
    document = json.loads(path.read_text())
    contracts = document["contracts"]
    contracts["RecordStore"]["address"] = contracts["EvidenceLedger"]["address"]
    contracts["DataCatalog"]["address"] = "0x" + "00" * 19 + "42"
    path.write_text(json.dumps(document))

    token = live.token(member_credentials("GAO"))
    items = {i["name"]: i for i in live.get("/api/v1/contracts", token).json()["items"]}
    assert items["RecordStore"]["status"] == "code_mismatch"
    assert items["DataCatalog"]["status"] == "missing"
    assert items["DataCatalog"]["code_hash"] is None
    assert items["MemberRegistry"]["status"] == "active"


def test_unknown_contract_and_missing_scope_are_problems(
    live: LiveGateway, member_credentials: Credentials
) -> None:
    office = live.token(member_credentials("GAO"))
    for path in ("/api/v1/contracts/Nope", "/api/v1/contracts/Nope/artefact"):
        missing = live.get(path, office)
        assert missing.status_code == 404
        assert missing.headers["Content-Type"] == "application/problem+json"
        assert missing.json()["code"] == "contract_not_found"

    department = live.token(member_credentials("NRD"))
    refused = live.get("/api/v1/contracts", department)
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
