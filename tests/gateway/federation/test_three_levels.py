"""Province, city and county gateways on loopback: a county query answered by the province.

The county's tax bureau asks for a title the province's real-estate bureau holds. The county
has the province's entry as ``R320000:NRD-TITLE`` (through the city), granted by the province
to the city, by the city to the county, and by the county to its tax bureau; the query goes
county → city → province, and each level logs, anchors and receipts its own record. The answer
carries the city's and the province's receipts; each level's evidence verifies against that
level's chain, and the county's record verifies at the province through the county's
checkpoint, relayed by the city and anchored on the province's FederationLedger.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.evidence.receipt import Receipt, verify_receipt
from gateway.federation.ledger import CONTRACT, ChainFederationLedger, FederationLedgerRefused
from gateway.federation.proofs import verify_federated_proof
from gateway.onchain.bound import BoundContract
from gateway.providers.samples import sample_queries
from tests.federation_support import TITLE_FIELDS, TITLE_MATTER, Level, hierarchy

ENTRY = "R320000:NRD-TITLE"


@pytest.fixture(scope="module")
def scenario(
    level_templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    with hierarchy(level_templates, tmp_path_factory.mktemp("three")) as levels:
        province, city, county = levels
        province.grant("R320100", "NRD-TITLE", TITLE_FIELDS, days=30)
        city.sync()
        city.grant("R320102", ENTRY, TITLE_FIELDS[:4], days=20)
        county.sync()
        county.grant("TAX", ENTRY, TITLE_FIELDS[:3], days=10)
        sample = next(
            q
            for q in sample_queries(2026)
            if q["entry_id"] == "NRD-TITLE" and q["consumer"] == "TAX"
        )
        body = {"purpose": TITLE_MATTER, "params": sample["params"]}
        answer = county.query("TAX", ENTRY, body)
        for level in (province, city, county):
            level.anchor()
        county.sync()  # the county's checkpoint up to the city
        city.sync()  # the city's, carrying the county's, up to the province
        yield {"levels": levels, "answer": answer, "body": body}


def _levels(scenario: dict[str, Any]) -> tuple[Level, Level, Level]:
    province, city, county = scenario["levels"]
    return province, city, county


def test_the_county_query_is_answered_by_the_province_with_every_level_receipted(
    scenario: dict[str, Any],
) -> None:
    province, city, _county = _levels(scenario)
    answer = scenario["answer"]
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["entry_id"] == ENTRY
    assert set(body["data"]) >= {"certificate_number", "location", "area"}
    assert "mortgage_status" not in body["data"]  # granted above, not to the tax bureau
    assert body["receipt"]["consumer"] == "TAX"
    assert body["receipt"]["provider"] == "R320100"
    trail = body["upstream"]
    assert [hop["node"] for hop in trail] == ["R320100", "R320000"]
    assert [hop["entry_id"] for hop in trail] == [ENTRY, "NRD-TITLE"]
    city_receipt = Receipt.from_dict(trail[0]["receipt"])
    province_receipt = Receipt.from_dict(trail[1]["receipt"])
    assert (city_receipt.consumer, city_receipt.provider) == ("R320102", "R320000")
    assert (province_receipt.consumer, province_receipt.provider) == ("R320100", "NRD")
    assert verify_receipt(city_receipt, city.container.gateway_key().public_key)
    assert verify_receipt(province_receipt, province.container.gateway_key().public_key)
    assert not verify_receipt(province_receipt, city.container.gateway_key().public_key)


def test_each_level_logged_its_own_record_linked_to_the_one_below(
    scenario: dict[str, Any],
) -> None:
    province, city, county = _levels(scenario)
    body = scenario["answer"].get_json()
    county_record = county.container.evidence.record(body["request_id"])
    city_record = city.container.evidence.record(body["upstream"][0]["request_id"])
    province_record = province.container.evidence.record(body["upstream"][1]["request_id"])
    assert (county_record.consumer, county_record.provider) == ("TAX", "R320100")
    assert (city_record.consumer, city_record.provider) == ("R320102", "R320000")
    assert (province_record.consumer, province_record.provider) == ("R320100", "NRD")
    assert city_record.idempotency_key == county_record.request_id
    assert province_record.idempotency_key == city_record.request_id
    assert {r.decision for r in (county_record, city_record, province_record)} == {"allowed"}


def test_the_county_answer_verifies_on_the_county_chain(scenario: dict[str, Any]) -> None:
    _province, _city, county = _levels(scenario)
    body = scenario["answer"].get_json()
    response = {k: body[k] for k in ("request_id", "entry_id", "data", "upstream")}
    report = county.verify(body["receipt"], response)
    assert report.ok, report.to_dict()
    names = {check.name for check in report.checks}
    assert {"response_digest", "inclusion_proof", "anchored_root", "anchored_position"} <= names
    tampered = {**response, "upstream": response["upstream"][:1]}
    assert not county.verify(body["receipt"], tampered).ok


def test_the_province_and_city_receipts_verify_on_their_own_chains(
    scenario: dict[str, Any],
) -> None:
    province, city, _county = _levels(scenario)
    trail = scenario["answer"].get_json()["upstream"]
    assert city.verify(trail[0]["receipt"]).ok
    assert province.verify(trail[1]["receipt"]).ok
    assert not city.verify(trail[1]["receipt"] | {"request_id": trail[0]["request_id"]}).ok


def _ledger(level: Level) -> ChainFederationLedger:
    container = level.container
    return ChainFederationLedger(
        BoundContract(lambda: container.chain, CONTRACT, FederationLedgerRefused)
    )


def test_the_county_record_verifies_through_the_checkpoints_at_city_and_province(
    scenario: dict[str, Any],
) -> None:
    province, city, county = _levels(scenario)
    bundle = county.federation.record_proof(scenario["answer"].get_json()["request_id"])
    at_city = verify_federated_proof(bundle, _ledger(city).by_size)
    at_province = verify_federated_proof(bundle, _ledger(province).by_size)
    assert at_city.ok, at_city.to_dict()
    assert at_province.ok, at_province.to_dict()
    relayed = _ledger(province).by_size("R320102", bundle["inclusion"]["tree_size"])
    assert relayed is not None and relayed.via == "R320100"
    forged = {**bundle, "receipt": {**bundle["receipt"], "consumer": "COURT"}}
    assert not verify_federated_proof(forged, _ledger(province).by_size).ok


def test_status_shows_each_child_with_its_lag(scenario: dict[str, Any]) -> None:
    province, city, county = _levels(scenario)
    at_province = province.federation.status.report()
    rows = {row["node"]: row for row in at_province["children"]}
    assert set(rows) == {"R320100", "R320102"}
    assert rows["R320100"]["via"] is None and rows["R320102"]["via"] == "R320100"
    assert rows["R320100"]["catalog_current"] is True
    assert 0 <= rows["R320102"]["checkpoint_lag_seconds"] < 120
    at_county = county.federation.status.report()
    assert at_county["parent"]["node"] == "R320100"
    assert at_county["parent"]["records_not_checkpointed"] == 0
    assert at_county["children"] == []
    at_city = city.federation.status.report()
    assert at_city["parent"]["node"] == "R320000"
    assert [row["node"] for row in at_city["children"]] == ["R320102"]
