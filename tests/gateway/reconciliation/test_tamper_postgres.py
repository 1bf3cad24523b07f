"""The tamper test: an access record altered directly in PostgreSQL is reported by the next
reconciliation, exactly that record, with what differs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psycopg
import pytest

from gateway.bootstrap import build_container
from gateway.instance import initialise
from gateway.settings import Settings
from tests.alliance_support import Alliance, start_alliance
from tests.conftest import FAST_CHAIN


@pytest.fixture
def alliance_on_postgres(
    make_settings: Callable[..., Settings], postgres_url: str, redis_url: str
) -> Iterator[tuple[Alliance, str]]:
    settings = make_settings(database_url=postgres_url, redis_url=redis_url, **FAST_CHAIN)
    container = build_container(settings)
    try:
        initialise(container)
    finally:
        container.close()
    for alliance in start_alliance(settings):
        yield alliance, postgres_url


def _psql(url: str) -> psycopg.Connection:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(plain, autocommit=True)


@pytest.mark.postgres
@pytest.mark.redis
def test_a_record_altered_in_postgresql_is_reported_exactly(
    alliance_on_postgres: tuple[Alliance, str],
) -> None:
    alliance, url = alliance_on_postgres
    assert alliance.container.engine.dialect.name == "postgresql"
    sample = alliance.sample("NRD-TITLE", consumer="TAX")
    tax = alliance.token("TAX")
    body = {"purpose": sample["purpose"], "params": sample["params"]}
    request_ids = []
    for _ in range(5):
        answer = alliance.query(tax, "NRD-TITLE", body)
        assert answer.status_code == 200
        request_ids.append(answer.get_json()["receipt"]["request_id"])
    assert alliance.container.anchorer.run_once().records == 5
    service = alliance.container.reconciliation
    assert service.run()["outcome"] == "clean"

    victim = request_ids[3]
    with _psql(url) as connection:
        connection.execute(
            "UPDATE access_records SET response_digest = %s WHERE request_id = %s",
            ("0x" + "ab" * 32, victim),
        )
        (record_id, original) = connection.execute(
            "SELECT id, evidence::json->>'response_digest' FROM access_records"
            " WHERE request_id = %s",
            (victim,),
        ).fetchone()

    report = service.report(service.run()["id"])
    assert report["outcome"] == "mismatch"
    assert report["records_checked"] == 5
    assert len(report["findings"]) == 1
    finding = report["findings"][0]
    assert finding["kind"] == "row_changed_after_anchoring"
    assert finding["subject"] == f"record:{record_id}"
    assert finding["detail"]["request_id"] == victim
    assert finding["detail"]["fields"] == {
        "response_digest": {"anchored": original, "current": "0x" + "ab" * 32}
    }
    assert alliance.client.get("/readyz").get_json()["alerts"] == ["reconciliation"]
