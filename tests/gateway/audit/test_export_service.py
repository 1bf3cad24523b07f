"""The export job service: progress while it runs, a bounded pool, failures and dead processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, update
from sqlalchemy.orm import Session

from gateway.audit.export_query import ExportNotFound, ExportNotReady
from gateway.audit.exports import AuditExports
from gateway.audit.tables import AuditExportRow
from gateway.audit.verify_workbook import verify_workbook
from gateway.audit.workbook import export_workbook
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.errors import ServiceUnavailable
from gateway.evidence.tables import AccessRecordRow
from gateway.settings import Settings
from gateway.storage.engine import make_engine
from gateway.storage.migrate import upgrade

DAY = datetime(2026, 11, 27, tzinfo=UTC)
QUERY = {"from": DAY.isoformat(), "to": (DAY + timedelta(days=1)).isoformat()}
KEY = Sm2PrivateKey.generate()


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    rows = [
        {
            "request_id": f"r{i:05d}",
            "entry_id": "NRD-TITLE",
            "entry_version": "0x" + "ab" * 32,
            "consumer": "TAX",
            "provider": "NRD",
            "purpose": "P1",
            "client_id": "c-tax",
            "request_digest": "0x" + f"{i:064x}",
            "decision": "allowed",
            "received_at": DAY + timedelta(seconds=i),
        }
        for i in range(2_500)
    ]
    with engine.begin() as connection:
        connection.execute(insert(AccessRecordRow), rows)
    yield engine
    engine.dispose()


def _service(engine: Engine, directory: Path, **options: Any) -> AuditExports:
    return AuditExports(
        engine,
        directory,
        signer=lambda: KEY,
        ledger=lambda: (None, "sm"),
        member_exists=lambda code: code in {"TAX", "NRD"},
        progress_every=0.0,
        **options,
    )


def _wait(exports: AuditExports, export_id: str, *states: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = exports.status(export_id)
        if status["state"] in states:
            return status
        time.sleep(0.02)
    raise AssertionError(f"export {export_id} still {exports.status(export_id)['state']}")


class Gate:
    """A writer that stops after its first 1 000 rows until released."""

    def __init__(self) -> None:
        self.reported = threading.Event()
        self.release = threading.Event()

    def writer(self, *args: Any, progress: Callable[[int, int], None], **kwargs: Any) -> Any:
        def report(done: int, total: int) -> None:
            progress(done, total)
            if done and not self.reported.is_set():
                self.reported.set()
                assert self.release.wait(30)

        return export_workbook(*args, progress=report, **kwargs)


def test_progress_is_visible_while_the_workbook_is_written(engine: Engine, tmp_path: Path) -> None:
    gate = Gate()
    exports = _service(engine, tmp_path / "exports", writer=gate.writer)
    export_id = exports.start(QUERY, requested_by="GAO")
    assert gate.reported.wait(30)
    running = exports.status(export_id)
    assert running["state"] == "running"
    assert (running["rows_done"], running["rows_total"], running["percent"]) == (1000, 2500, 40.0)
    with pytest.raises(ExportNotReady):
        exports.content(export_id)
    gate.release.set()
    done = _wait(exports, export_id, "done", "failed")
    assert (done["state"], done["rows_done"], done["percent"]) == ("done", 2500, 100.0)
    downloaded = tmp_path / "downloaded.xlsx"
    downloaded.write_bytes(exports.content(export_id))
    report = verify_workbook(downloaded, KEY.public_key)
    assert report.ok and report.rows == 2500
    assert list((tmp_path / "exports").iterdir()) == []  # the workbook lives in the database


def test_exports_beyond_the_pool_wait_queued(engine: Engine, tmp_path: Path) -> None:
    gate = Gate()
    exports = _service(engine, tmp_path / "exports", writer=gate.writer, workers=1)
    first = exports.start(QUERY, requested_by="GAO")
    second = exports.start({**QUERY, "member": "TAX"}, requested_by="GAO")
    assert gate.reported.wait(30)
    assert exports.status(first)["state"] == "running"
    assert exports.status(second)["state"] == "queued"
    gate.release.set()
    assert _wait(exports, second, "done", "failed")["state"] == "done"
    assert exports.status(first)["state"] == "done"
    assert [s["id"] for s in exports.list("GAO")] == [second, first]
    assert exports.list("TAX") == []


def test_a_failed_export_says_why_and_leaves_no_file(engine: Engine, tmp_path: Path) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        out = Path(args[1])
        out.with_name(out.name + ".partial").write_bytes(b"half a workbook")
        raise ServiceUnavailable("the database went away")

    exports = _service(engine, tmp_path / "exports", writer=broken)
    export_id = exports.start(QUERY, requested_by="GAO")
    failed = _wait(exports, export_id, "failed", "done")
    assert failed["state"] == "failed"
    assert failed["error"] == "service_unavailable: the database went away"
    assert failed["finished_at"] is not None
    assert list((tmp_path / "exports").iterdir()) == []


def test_exports_of_a_stopped_process_are_marked_failed_at_the_next_start(
    engine: Engine, tmp_path: Path
) -> None:
    directory = tmp_path / "exports"
    directory.mkdir()
    old = datetime.now(UTC) - timedelta(hours=1)
    with Session(engine) as session, session.begin():
        for export_id, state in (("a" * 32, "running"), ("b" * 32, "queued")):
            session.add(
                AuditExportRow(
                    id=export_id,
                    requested_by="GAO",
                    query='{"from": "2026-11-27T00:00:00Z", "to": "2026-11-28T00:00:00Z"}',
                    state=state,
                    rows_done=0,
                    created_at=old,
                    updated_at=old,
                )
            )
    (directory / ("a" * 32 + ".xlsx.partial")).write_bytes(b"half")
    fresh = _service(engine, directory, stale_after=timedelta(minutes=15))
    live = fresh.start(QUERY, requested_by="GAO")
    assert fresh.fail_abandoned() == 2
    for export_id in ("a" * 32, "b" * 32):
        status = fresh.status(export_id)
        assert status["state"] == "failed" and "stopped" in status["error"]
    assert not (directory / ("a" * 32 + ".xlsx.partial")).exists()
    assert _wait(fresh, live, "done", "failed")["state"] == "done"

    # A job refreshed recently is somebody else's live work and is left alone.
    with Session(engine) as session, session.begin():
        session.execute(
            update(AuditExportRow)
            .where(AuditExportRow.id == "a" * 32)
            .values(state="running", updated_at=datetime.now(UTC))
        )
    assert fresh.fail_abandoned() == 0


def test_purge_deletes_old_finished_exports_with_their_files(
    engine: Engine, tmp_path: Path
) -> None:
    exports = _service(engine, tmp_path / "exports")
    export_id = exports.start(QUERY, requested_by="GAO")
    _wait(exports, export_id, "done")
    assert exports.content(export_id).startswith(b"PK")
    assert exports.purge(datetime.now(UTC) - timedelta(days=1)) == (0, 0)
    assert exports.purge(datetime.now(UTC) + timedelta(seconds=1)) == (1, 1)
    assert exports.list() == []
    with pytest.raises(ExportNotFound):
        exports.content(export_id)
