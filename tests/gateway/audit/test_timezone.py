"""One clock: a record received at 23:30 UTC is on the next day in Asia/Shanghai, for the
console's chart and for an audit export by dates alike; stored times stay UTC."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select, update

from gateway.audit.manifest import MANIFEST_SHEET, RECORDS_SHEET, SUMMARY_SHEET
from gateway.cli.main import main
from gateway.console.dashboard import build_dashboard
from gateway.evidence.tables import AccessRecordRow
from tests.alliance_support import Alliance


def _late_record(alliance: Alliance) -> tuple[str, date]:
    """One access record moved to 23:30 UTC five days ago; returns its id and UTC day."""
    alliance.title_inquiries()
    utc_day = (datetime.now(UTC) - timedelta(days=5)).date()
    late = datetime(utc_day.year, utc_day.month, utc_day.day, 23, 30, tzinfo=UTC)
    with alliance.container.engine.begin() as connection:
        request_id = connection.execute(
            select(AccessRecordRow.request_id).order_by(AccessRecordRow.id).limit(1)
        ).scalar_one()
        connection.execute(
            update(AccessRecordRow)
            .where(AccessRecordRow.request_id == request_id)
            .values(received_at=late)
        )
    return request_id, utc_day


def _export(alliance: Alliance, out: Path, start: date, end: date, **env: str) -> dict[str, object]:
    result = CliRunner().invoke(
        main,
        [
            "audit",
            "export",
            "--from",
            start.isoformat(),
            "--to",
            end.isoformat(),
            "--out",
            str(out),
        ],
        env={"ALLIANCE_DATA_DIR": str(alliance.settings.data_dir), **env},
    )
    assert result.exit_code == 0, result.output
    summary: dict[str, object] = json.loads(result.output[result.output.index("{") :])
    return summary


def test_a_record_at_2330_utc_is_on_the_next_shanghai_day_in_chart_and_export(
    alliance: Alliance, tmp_path: Path
) -> None:
    request_id, utc_day = _late_record(alliance)
    shanghai_day = utc_day + timedelta(days=1)

    days = {d.day: d.count for d in build_dashboard(alliance.container).days}
    assert days[shanghai_day] == 1 and days[utc_day] == 0

    same_day = _export(alliance, tmp_path / "day.xlsx", shanghai_day, shanghai_day + timedelta(1))
    assert same_day["rows"] == 1
    assert same_day["period_start"] == f"{utc_day.isoformat()}T16:00:00.000000Z"  # stored UTC
    workbook = load_workbook(tmp_path / "day.xlsx")
    assert workbook[RECORDS_SHEET]["A2"].value == request_id
    summary = {row[0]: row[1] for row in workbook[SUMMARY_SHEET].iter_rows(values_only=True) if row}
    assert summary["时区"] == "Asia/Shanghai"
    assert summary["起始时间(Asia/Shanghai)"] == f"{shanghai_day.isoformat()}T00:00:00+08:00"
    fields = {row[2]: row[1] for row in workbook[MANIFEST_SHEET].iter_rows(values_only=True) if row}
    assert fields["timezone"] == "Asia/Shanghai"

    day_before = _export(alliance, tmp_path / "before.xlsx", utc_day, shanghai_day)
    assert day_before["rows"] == 0


def test_the_timezone_setting_moves_both_to_its_own_day(alliance: Alliance, tmp_path: Path) -> None:
    _, utc_day = _late_record(alliance)
    container = alliance.container
    settings = container.settings.model_copy(update={"timezone": "UTC"})
    container.settings = settings
    days = {d.day: d.count for d in build_dashboard(container).days}
    assert days[utc_day] == 1
    in_utc = _export(
        alliance, tmp_path / "utc.xlsx", utc_day, utc_day + timedelta(1), ALLIANCE_TIMEZONE="UTC"
    )
    assert in_utc["rows"] == 1 and in_utc["timezone"] == "UTC"


def test_a_date_with_an_offset_is_taken_as_written(alliance: Alliance, tmp_path: Path) -> None:
    _, utc_day = _late_record(alliance)
    result = CliRunner().invoke(
        main,
        [
            "audit", "export", "--from", f"{utc_day.isoformat()}T23:00+00:00",
            "--to", f"{utc_day.isoformat()}T23:59+00:00", "--out", str(tmp_path / "x.xlsx"),
        ],
        env={"ALLIANCE_DATA_DIR": str(alliance.settings.data_dir)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"rows": 1' in result.output
