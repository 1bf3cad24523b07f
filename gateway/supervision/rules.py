"""Supervision rules over what the gateway already holds: access records (with their anchors),
on-chain records (上链记录) and evidence anchors.

Each rule returns :class:`Firing` s. A firing names the department responsible, a dedup key
(the same facts always give the same key, so a rule never opens the same case twice) and its
evidence references: the receipts' request ids and sequence numbers with the Merkle roots that
anchor them, or the record versions' transactions. Access records count only once anchored,
so every case points at evidence already on chain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from gateway.evidence.tables import AccessRecordRow, AnchorRow
from gateway.settings import SupervisionSettings
from gateway.supervision.model import Firing

TITLE_REPEAT = "title-repeat"
WRONG_PURPOSE = "wrong-purpose"
OUTSIDE_HOURS = "outside-hours"
EXPIRED_GRANT = "expired-grant"
CHANGED_AFTER_CERTIFICATION = "changed-after-certification"
ANCHORING_LAG = "anchoring-lag"
MANUAL = "manual"


@dataclass(frozen=True)
class RuleInfo:
    rule_id: str
    name_zh: str
    description_zh: str


RULES: tuple[RuleInfo, ...] = (
    RuleInfo(TITLE_REPEAT, "同一权利人频繁查询", "同一部门一日内查询同一人的不动产登记超过阈值"),
    RuleInfo(WRONG_PURPOSE, "超出授权事项查询", "查询所报事项不在授权范围内(wrong_purpose)"),
    RuleInfo(OUTSIDE_HOURS, "非工作时间查询", "在规定办公时间以外成功查询"),
    RuleInfo(EXPIRED_GRANT, "授权过期后仍查询", "授权到期后仍尝试查询(grant_expired)"),
    RuleInfo(CHANGED_AFTER_CERTIFICATION, "登记记录发证后变更", "记录在证照版本之后又被修改或删除"),
    RuleInfo(ANCHORING_LAG, "存证上链延迟超限", "存证批次上链时间晚于最早记录超过上限"),
)
RULE_NAMES = {rule.rule_id: rule.name_zh for rule in RULES} | {MANUAL: "人工立案"}


@dataclass(frozen=True)
class Window:
    since: datetime
    now: datetime


def _local_day(moment: datetime, zone: ZoneInfo) -> str:
    return _utc(moment).astimezone(zone).date().isoformat()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _anchored_records(engine: Engine, window: Window, *conditions: Any) -> list[Any]:
    statement = (
        select(
            AccessRecordRow.request_id,
            AccessRecordRow.sequence,
            AccessRecordRow.consumer,
            AccessRecordRow.entry_id,
            AccessRecordRow.purpose,
            AccessRecordRow.decision,
            AccessRecordRow.reason,
            AccessRecordRow.subject_key,
            AccessRecordRow.received_at,
            AnchorRow.root,
            AnchorRow.tx_hash,
        )
        .join(AnchorRow, AnchorRow.id == AccessRecordRow.anchor_id)
        .where(
            AnchorRow.status == "anchored",
            AccessRecordRow.received_at >= window.since,
            AccessRecordRow.received_at <= window.now,
            *conditions,
        )
        .order_by(AccessRecordRow.sequence)
    )
    with engine.connect() as connection:
        return list(connection.execute(statement).all())


def _references(rows: Iterable[Any]) -> dict[str, Any]:
    rows = list(rows)
    return {
        "receipts": [{"request_id": r.request_id, "sequence": r.sequence} for r in rows],
        "roots": sorted({r.root for r in rows}),
        "anchor_txs": sorted({r.tx_hash for r in rows if r.tx_hash}),
    }


def _grouped(rows: Iterable[Any], key: Callable[[Any], tuple[str, ...]]) -> dict[Any, list[Any]]:
    groups: dict[tuple[str, ...], list[Any]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups


def title_repeat(engine: Engine, settings: SupervisionSettings, window: Window) -> list[Firing]:
    zone = ZoneInfo(settings.timezone)
    rows = _anchored_records(
        engine,
        window,
        AccessRecordRow.decision == "allowed",
        AccessRecordRow.entry_id.in_(settings.title_repeat_entries),
        AccessRecordRow.subject_key.is_not(None),
    )
    groups = _grouped(
        rows, lambda r: (r.consumer, r.entry_id, r.subject_key, _local_day(r.received_at, zone))
    )
    limit = settings.title_repeat_max_per_day
    return [
        Firing(
            TITLE_REPEAT,
            f"{TITLE_REPEAT}:{consumer}:{entry}:{subject}:{day}",
            consumer,
            f"{consumer} 于 {day} 查询同一人的 {entry} {len(found)} 次(上限 {limit} 次)",
            {"day": day, "entry_id": entry, "subject_key": subject, "count": len(found)}
            | _references(found),
        )
        for (consumer, entry, subject, day), found in groups.items()
        if len(found) > limit
    ]


def _refusals(
    engine: Engine,
    settings: SupervisionSettings,
    window: Window,
    *,
    rule_id: str,
    reason: str,
    minimum: int,
    by_entry: bool,
    label: str,
) -> list[Firing]:
    zone = ZoneInfo(settings.timezone)
    rows = _anchored_records(engine, window, AccessRecordRow.reason == reason)
    groups = _grouped(
        rows,
        lambda r: (r.consumer, r.entry_id if by_entry else "", _local_day(r.received_at, zone)),
    )
    firings = []
    for (consumer, entry, day), found in groups.items():
        if len(found) < minimum:
            continue
        scope = f"{entry}:" if by_entry else ""
        firings.append(
            Firing(
                rule_id,
                f"{rule_id}:{consumer}:{scope}{day}",
                consumer,
                f"{consumer} 于 {day} {label} {len(found)} 次",
                {"day": day, "reason": reason, "count": len(found)}
                | ({"entry_id": entry} if by_entry else {})
                | _references(found),
            )
        )
    return firings


def wrong_purpose(engine: Engine, settings: SupervisionSettings, window: Window) -> list[Firing]:
    return _refusals(
        engine,
        settings,
        window,
        rule_id=WRONG_PURPOSE,
        reason="wrong_purpose",
        minimum=settings.wrong_purpose_min_attempts,
        by_entry=False,
        label="超出授权事项查询",
    )


def expired_grant(engine: Engine, settings: SupervisionSettings, window: Window) -> list[Firing]:
    return _refusals(
        engine,
        settings,
        window,
        rule_id=EXPIRED_GRANT,
        reason="grant_expired",
        minimum=settings.expired_grant_min_attempts,
        by_entry=True,
        label="在授权过期后尝试查询",
    )


def _hours(text: str) -> tuple[time, time]:
    start, end = text.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def outside_hours(engine: Engine, settings: SupervisionSettings, window: Window) -> list[Firing]:
    zone = ZoneInfo(settings.timezone)
    start, end = _hours(settings.business_hours)
    rows = [
        row
        for row in _anchored_records(engine, window, AccessRecordRow.decision == "allowed")
        if not start <= _utc(row.received_at).astimezone(zone).time() < end
    ]
    groups = _grouped(rows, lambda r: (r.consumer, _local_day(r.received_at, zone)))
    return [
        Firing(
            OUTSIDE_HOURS,
            f"{OUTSIDE_HOURS}:{consumer}:{day}",
            consumer,
            f"{consumer} 于 {day} 在办公时间({settings.business_hours})以外查询 {len(found)} 次",
            {"day": day, "business_hours": settings.business_hours, "count": len(found)}
            | _references(found),
        )
        for (consumer, day), found in groups.items()
    ]


def changed_after_certification(
    engine: Engine, settings: SupervisionSettings, window: Window
) -> list[Firing]:
    from gateway.records.tables import RecordVersionRow

    with engine.connect() as connection:
        rows = connection.execute(
            select(
                RecordVersionRow.key,
                RecordVersionRow.number,
                RecordVersionRow.record_type,
                RecordVersionRow.organisation,
                RecordVersionRow.tombstone,
                RecordVersionRow.created_at,
                RecordVersionRow.tx_hash,
                RecordVersionRow.content_hash,
            ).order_by(RecordVersionRow.key, RecordVersionRow.number)
        ).all()
    firings = []
    for key, versions in _grouped(rows, lambda r: (r.key,)).items():
        certified = next((v for v in versions if v.record_type in settings.certificate_types), None)
        if certified is None:
            continue
        for later in (v for v in versions if v.number > certified.number):
            if _utc(later.created_at) < window.since:
                continue
            firings.append(
                Firing(
                    CHANGED_AFTER_CERTIFICATION,
                    f"{CHANGED_AFTER_CERTIFICATION}:{key[0]}:{later.number}",
                    later.organisation,
                    f"记录 {key[0]} 在第 {certified.number} 版发证后又"
                    f"{'删除' if later.tombstone else '修改'}(第 {later.number} 版)",
                    {
                        "record_key": key[0],
                        "certified_version": certified.number,
                        "changed_version": later.number,
                        "record_txs": [certified.tx_hash, later.tx_hash],
                        "content_hashes": [certified.content_hash, later.content_hash],
                    },
                )
            )
    return firings


def anchoring_lag(engine: Engine, settings: SupervisionSettings, window: Window) -> list[Firing]:
    with engine.connect() as connection:
        anchors = connection.execute(
            select(AnchorRow).where(
                AnchorRow.status == "anchored", AnchorRow.anchored_at >= window.since
            )
        ).scalars()
        firings = []
        for anchor in anchors:
            oldest = connection.execute(
                select(AccessRecordRow.received_at)
                .where(AccessRecordRow.anchor_id == anchor.id)
                .order_by(AccessRecordRow.received_at)
                .limit(1)
            ).scalar()
            if oldest is None or anchor.anchored_at is None:
                continue
            lag = (_utc(anchor.anchored_at) - _utc(oldest)).total_seconds()
            if lag <= settings.anchoring_lag_max_seconds:
                continue
            firings.append(
                Firing(
                    ANCHORING_LAG,
                    f"{ANCHORING_LAG}:{anchor.root}",
                    settings.anchoring_lag_department,
                    f"存证批次 {anchor.root[:10]}… 上链延迟 {lag:.0f} 秒"
                    f"(上限 {settings.anchoring_lag_max_seconds:.0f} 秒)",
                    {
                        "roots": [anchor.root],
                        "anchor_txs": [anchor.tx_hash],
                        "sequences": [anchor.first_sequence, anchor.last_sequence],
                        "lag_seconds": round(lag, 1),
                    },
                )
            )
    return firings


RULE_FUNCTIONS: dict[str, Callable[[Engine, SupervisionSettings, Window], list[Firing]]] = {
    TITLE_REPEAT: title_repeat,
    WRONG_PURPOSE: wrong_purpose,
    OUTSIDE_HOURS: outside_hours,
    EXPIRED_GRANT: expired_grant,
    CHANGED_AFTER_CERTIFICATION: changed_after_certification,
    ANCHORING_LAG: anchoring_lag,
}


def evaluate(engine: Engine, settings: SupervisionSettings, now: datetime) -> list[Firing]:
    window = Window(now - timedelta(hours=settings.lookback_hours), now)
    firings: list[Firing] = []
    for rule_id, rule in RULE_FUNCTIONS.items():
        if rule_id not in settings.disabled_rules:
            firings.extend(rule(engine, settings, window))
    return firings
