"""What an audit export asks for (member, period, filters) and why a request is refused."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.errors import Conflict, GatewayError, NotFound
from gateway.evidence.digests import format_timestamp

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class InvalidExportRequest(GatewayError):
    code = "invalid_export_request"
    status = 422
    title = "The export request is invalid"


class InvalidExportPeriod(InvalidExportRequest):
    code = "invalid_export_period"
    title = "The export period is empty"


class ExportPeriodTooLong(InvalidExportRequest):
    code = "export_period_too_long"
    title = "The export period is too long"


class UnknownExportMember(InvalidExportRequest):
    code = "unknown_member"
    title = "No such member"


class ExportNotFound(NotFound):
    code = "export_not_found"
    title = "No such export"


class ExportNotReady(Conflict):
    code = "export_not_ready"
    title = "The export is not finished"


MIN_YEAR, MAX_YEAR = 1000, 9999


@dataclass(frozen=True)
class ExportQuery:
    start: datetime
    end: datetime
    member: str | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "from": format_timestamp(self.start),
                "to": format_timestamp(self.end),
                "member": self.member,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ExportQuery:
        body = json.loads(text)
        return cls(_moment(body["from"], "from"), _moment(body["to"], "to"), body.get("member"))

    def file_name(self) -> str:
        span = f"{self.start:%Y%m%dT%H%M}-{self.end:%Y%m%dT%H%M}"
        return f"audit-{span}{'-' + self.member if self.member else ''}.xlsx"


def _moment(value: Any, key: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidExportRequest(f"{key} is not an ISO 8601 date-time", field=key) from exc
    if not isinstance(value, datetime):
        raise InvalidExportRequest(f"{key} is required (an ISO 8601 date-time)", field=key)
    try:
        moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError as exc:
        raise InvalidExportRequest(f"{key} is out of range", field=key) from exc
    if not MIN_YEAR <= moment.year <= MAX_YEAR:  # times are stored with four-digit years
        raise InvalidExportRequest(f"{key} must be within {MIN_YEAR}–{MAX_YEAR}", field=key)
    return moment


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
