"""Retention clears stored answers and deletes old exports, history and reports, never evidence."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from gateway.audit.exports import AuditExports
from gateway.audit.tables import AuditExportFileRow, AuditExportRow
from gateway.cli.main import main
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.evidence.tables import AccessRecordRow, AnchorRow
from gateway.federation.tables import FederationEventRow
from gateway.jobs.history import JobRunRow
from gateway.jobs.retention import Retention
from gateway.reconciliation.tables import FindingRow, ReportRow
from gateway.settings import RetentionSettings, Settings
from gateway.storage.engine import make_engine
from gateway.storage.migrate import upgrade

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=100)
RECENT = NOW - timedelta(days=1)
QUERY = '{"from": "2026-11-27T00:00:00Z", "to": "2026-11-28T00:00:00Z", "member": null}'


@pytest.fixture
def engine(make_settings: Callable[..., Settings], postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(make_settings(database_url=postgres_url).sqlalchemy_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _fill(engine: Engine, exports_dir: Path) -> None:
    exports_dir.mkdir(parents=True)
    with engine.begin() as connection:
        connection.execute(
            insert(AnchorRow),
            [
                {
                    "root": "0x" + "11" * 32,
                    "prev_root": "0x" + "00" * 32,
                    "first_sequence": 1,
                    "last_sequence": 2,
                    "count": 2,
                    "status": "anchored",
                    "prepared_at": OLD,
                }
            ],
        )
        connection.execute(
            insert(AccessRecordRow),
            [
                {
                    "request_id": name,
                    "entry_id": "NRD-TITLE",
                    "entry_version": "0x" + "ab" * 32,
                    "consumer": "TAX",
                    "provider": "NRD",
                    "client_id": "c-tax",
                    "request_digest": "0x" + "cd" * 32,
                    "decision": "allowed",
                    "received_at": when,
                    "reply": b"sealed answer",
                    "sequence": sequence,
                    "anchor_id": 1,
                }
                for sequence, (name, when) in enumerate((("old", OLD), ("recent", RECENT)), 1)
            ],
        )
        connection.execute(
            insert(JobRunRow),
            [
                {
                    "job": "anchoring",
                    "tick": tick,
                    "fencing_token": 1,
                    "worker": "w",
                    "started_at": when,
                    "outcome": "ok",
                    "detail": "{}",
                }
                for tick, when in (("1", OLD), ("2", RECENT))
            ],
        )
        connection.execute(
            insert(FederationEventRow),
            [
                {
                    "kind": "catalog-pull",
                    "node": "R320000",
                    "outcome": "ok",
                    "detail": "{}",
                    "at": when,
                }
                for when in (OLD, RECENT)
            ],
        )
        for report_id, when in ((1, OLD), (2, RECENT)):
            connection.execute(
                insert(ReportRow).values(
                    id=report_id,
                    started_at=when,
                    outcome="mismatch",
                    records_checked=2,
                    anchors_checked=1,
                    findings_count=2,
                    summary="{}",
                )
            )
            connection.execute(
                insert(FindingRow),
                [
                    {
                        "report_id": report_id,
                        "kind": "digest_mismatch",
                        "subject": s,
                        "detail": "{}",
                    }
                    for s in ("a", "b")
                ],
            )
        for export_id, state, when in (
            ("e-old", "done", OLD),
            ("e-recent", "done", RECENT),
            ("e-stale", "running", RECENT),
        ):
            connection.execute(
                insert(AuditExportRow).values(
                    id=export_id,
                    requested_by="GAO",
                    query=QUERY,
                    state=state,
                    rows_done=0,
                    created_at=when,
                    updated_at=when,
                )
            )
            if state == "done":
                connection.execute(
                    insert(AuditExportFileRow).values(export_id=export_id, content=b"PK", size=2)
                )
            else:
                (exports_dir / f"{export_id}.xlsx").write_bytes(b"PK")  # a scratch file


def _count(engine: Engine, column: object) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


def _retention(engine: Engine, exports_dir: Path, days: int) -> Retention:
    exports = AuditExports(
        engine,
        exports_dir,
        signer=Sm2PrivateKey.generate,
        ledger=lambda: (None, "sm"),
        member_exists=lambda code: True,
        stale_after=timedelta(minutes=15),
    )
    settings = RetentionSettings(
        reply_days=days, exports_days=days, job_history_days=days, reconciliation_days=days
    )
    return Retention(engine, settings, exports)


@pytest.mark.postgres
def test_retention_keeps_recent_data_and_every_access_record_and_anchor(
    engine: Engine, tmp_path: Path
) -> None:
    exports_dir = tmp_path / "exports"
    _fill(engine, exports_dir)

    assert _retention(engine, exports_dir, days=0).run_once() == {
        "exports_abandoned": 1,
        "replies_cleared": 0,
        "exports_deleted": 0,
        "export_files_deleted": 0,
        "job_runs_deleted": 0,
        "federation_events_deleted": 0,
        "reconciliation_reports_deleted": 0,
        "reconciliation_findings_deleted": 0,
    }
    counts = _retention(engine, exports_dir, days=30).run_once()
    assert counts == {
        "exports_abandoned": 0,
        "replies_cleared": 1,
        "exports_deleted": 1,
        "export_files_deleted": 1,
        "job_runs_deleted": 1,
        "federation_events_deleted": 1,
        "reconciliation_reports_deleted": 1,
        "reconciliation_findings_deleted": 2,
    }
    with Session(engine) as session:
        rows = session.execute(select(AccessRecordRow.request_id, AccessRecordRow.reply))
        replies = {name: reply for name, reply in rows}
        assert replies == {"old": None, "recent": b"sealed answer"}
        assert session.scalars(select(AuditExportRow.id).order_by(AuditExportRow.id)).all() == [
            "e-recent",
            "e-stale",
        ]
        assert session.scalars(select(JobRunRow.tick)).all() == ["2"]
        assert len(session.scalars(select(FederationEventRow.id)).all()) == 1
        assert session.scalars(select(FindingRow.report_id)).all() == [2, 2]
    assert _count(engine, AccessRecordRow.id) == 2
    assert _count(engine, AnchorRow.id) == 1
    with Session(engine) as session:
        assert session.scalars(select(AuditExportFileRow.export_id)).all() == ["e-recent"]
    assert list(exports_dir.iterdir()) == []  # the stale export failed: its scratch file went


def test_jobs_once_runs_retention_and_tx_retry_and_refuses_unknown_interval_names(
    settings: Settings, tmp_path: Path
) -> None:
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    engine.dispose()
    env = {"ALLIANCE_DATA_DIR": str(settings.data_dir), "ALLIANCE_LOG_FORMAT": "text"}
    runner = CliRunner()
    ran = runner.invoke(main, ["jobs", "once", "retention"], env=env)
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.output) == {"job": "retention", "outcome": "ran"}
    history = json.loads(runner.invoke(main, ["jobs", "history"], env=env).output)
    assert history[0]["job"] == "retention" and history[0]["outcome"] == "ok"
    assert history[0]["detail"]["replies_cleared"] == 0
    assert history[0]["started_at"] and history[0]["finished_at"]

    retried = runner.invoke(main, ["jobs", "once", "tx-retry"], env=env)
    assert json.loads(retried.output) == {"job": "tx-retry", "outcome": "ran"}
    history = json.loads(
        runner.invoke(main, ["jobs", "history", "--job", "tx-retry"], env=env).output
    )
    assert history[0]["detail"] == {
        "stuck": 0, "resent": 0, "anchored": 0, "failed": 0, "waiting": 0, "records": 0
    }  # fmt: skip

    config = tmp_path / "jobs.toml"
    config.write_text("[jobs]\nintervals = { nightly = 60.0 }\n")
    refused = runner.invoke(main, ["--config", str(config), "jobs", "once", "retention"], env=env)
    assert refused.exit_code == 2
    assert "jobs.intervals" in refused.output and "nightly" in refused.output
