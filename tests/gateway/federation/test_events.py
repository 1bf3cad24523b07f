"""The federation's log: a link in a steady state does not grow it; retention trims it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from gateway.federation.events import FAILED, OK, PULL, FederationEvents
from gateway.federation.tables import FederationEventRow
from gateway.settings import Settings
from gateway.storage.engine import make_engine
from gateway.storage.migrate import upgrade


def _rows(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(FederationEventRow)) or 0)


def test_repeated_outcomes_move_the_latest_event_and_changes_add_one(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    moments = iter(datetime(2026, 12, 6, 8, minute, tzinfo=UTC) for minute in range(10))
    events = FederationEvents(engine, clock=lambda: next(moments))
    events.record(PULL, "R320000", OK, published=[], grants=1)
    events.record(PULL, "R320000", OK, published=[], grants=1)
    assert _rows(engine) == 1
    latest = events.latest(PULL, "R320000", OK)
    assert latest is not None and latest.at.minute == 1
    events.record(PULL, "R320000", FAILED, code="parent_unreachable")
    events.record(PULL, "R320000", FAILED, code="parent_unreachable")
    events.record(PULL, "R320000", OK, published=["R320000:NRD-TITLE"], grants=1)
    assert _rows(engine) == 3
    assert [e.outcome for e in events.recent()] == [OK, FAILED, OK]
    failed = events.latest(PULL, "R320000", FAILED)
    assert failed is not None and failed.at.minute == 3
    assert events.purge(datetime(2026, 12, 6, 8, 2, tzinfo=UTC)) == 1
    assert events.purge(datetime(2026, 12, 6, 8, 2, tzinfo=UTC) - timedelta(days=1)) == 0
    assert _rows(engine) == 2
    engine.dispose()
