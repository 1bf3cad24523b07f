"""The figures of the console's header and 首页: chain, members, catalogue, queries, lag."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.chain.errors import ChainError
from gateway.devnode.errors import DataDirectoryLocked
from gateway.evidence.tables import AccessRecordRow

if TYPE_CHECKING:
    from gateway.console.ports import GatewayServices

CHINA = ZoneInfo("Asia/Shanghai")  # the default of the ``timezone`` setting (UTC+8)
CHART_DAYS = 14
STATUS_TTL = 5.0
CHAIN_STATUS_EXTENSION = "console_chain_status"


@dataclass(frozen=True)
class ChainStatus:
    up: bool
    height: int | None
    error: str = ""


@dataclass
class ChainStatusCache:
    """The header's chain status, asked of the node at most every few seconds."""

    container: GatewayServices
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _value: ChainStatus | None = None
    _at: float = 0.0

    @classmethod
    def of(cls, container: GatewayServices) -> ChainStatusCache:
        """The console app's cache (made by :func:`gateway.console.web.install`), or a new
        one outside a request."""
        if has_app_context() and CHAIN_STATUS_EXTENSION in current_app.extensions:
            return cast(ChainStatusCache, current_app.extensions[CHAIN_STATUS_EXTENSION])
        return cls(container)

    def get(self) -> ChainStatus:
        """The latest status; while one request asks a slow node, the others get the last one."""
        last = self._value
        if last is not None:
            if time.monotonic() - self._at <= STATUS_TTL or not self._lock.acquire(blocking=False):
                return last
        else:
            self._lock.acquire()
        try:
            self._value = chain_status(self.container)
            self._at = time.monotonic()
            return self._value
        finally:
            self._lock.release()


def chain_status(container: GatewayServices) -> ChainStatus:
    from gateway.onchain.runtime import ChainNotReady

    try:
        return ChainStatus(up=True, height=container.chain.client.block_number())
    except (ChainError, ChainNotReady, DataDirectoryLocked, OSError) as exc:
        return ChainStatus(up=False, height=None, error=type(exc).__name__)


def day_start(day: date, zone: tzinfo = CHINA) -> datetime:
    """The UTC moment ``day`` begins in ``zone`` (the ``timezone`` setting)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class QueryDay:
    day: date
    count: int


@dataclass(frozen=True)
class Dashboard:
    chain: ChainStatus
    members_active: int
    members_total: int
    catalog_size: int
    queries_today: int
    by_consumer: list[tuple[str, int]]
    by_provider: list[tuple[str, int]]
    anchoring_lag: float
    open_alerts: list[Any] | None  # None: reconciliation alerts are not available here
    days: list[QueryDay]

    @property
    def busiest_day(self) -> int:
        return max((d.count for d in self.days), default=0)


def _query_counts(
    container: GatewayServices, member: str | None, now: datetime
) -> tuple[Counter[str], Counter[str], list[QueryDay]]:
    zone = container.settings.zone
    today = now.astimezone(zone).date()
    first = today - timedelta(days=CHART_DAYS - 1)
    with Session(container.engine) as session:
        scope = select(AccessRecordRow.consumer, AccessRecordRow.provider).where(
            AccessRecordRow.received_at >= day_start(today, zone)
        )
        if member:
            scope = scope.where(
                (AccessRecordRow.consumer == member) | (AccessRecordRow.provider == member)
            )
        consumers: Counter[str] = Counter()
        providers: Counter[str] = Counter()
        for consumer, provider in session.execute(scope):
            consumers[consumer] += 1
            providers[provider] += 1
        days = []
        for offset in range(CHART_DAYS):
            day = first + timedelta(days=offset)
            count = select(func.count(AccessRecordRow.id)).where(
                AccessRecordRow.received_at >= day_start(day, zone),
                AccessRecordRow.received_at < day_start(day + timedelta(days=1), zone),
            )
            if member:
                count = count.where(
                    (AccessRecordRow.consumer == member) | (AccessRecordRow.provider == member)
                )
            days.append(QueryDay(day, int(session.scalar(count) or 0)))
    return consumers, providers, days


def open_alerts(container: GatewayServices) -> list[Any] | None:
    """Open reconciliation alerts, when the gateway has a reconciliation service."""
    reconciliation = getattr(container, "reconciliation", None)
    alerts = getattr(reconciliation, "open_alerts", None)
    return list(alerts()) if callable(alerts) else None


def build_dashboard(
    container: GatewayServices, member: str | None = None, now: datetime | None = None
) -> Dashboard:
    """Everything 首页 shows; with ``member`` only that member's queries are counted. Days
    are days of the ``timezone`` setting."""
    from gateway.members.model import MemberStatus
    from gateway.members.ports import MemberQuery

    now = now or datetime.now(UTC)
    members = container.members.find(MemberQuery(limit=10_000))
    consumers, providers, days = _query_counts(container, member, now)
    if member:
        consumers = Counter({member: consumers[member]})
        providers = Counter({member: providers[member]})
    return Dashboard(
        chain=ChainStatusCache.of(container).get(),
        members_active=sum(1 for m in members if m.status is MemberStatus.ACTIVE),
        members_total=len(members),
        catalog_size=len(container.catalog.index.all_entries()),
        queries_today=days[-1].count,
        by_consumer=consumers.most_common(),
        by_provider=providers.most_common(),
        anchoring_lag=container.anchoring_lag(),
        open_alerts=None if member else open_alerts(container),
        days=days,
    )
