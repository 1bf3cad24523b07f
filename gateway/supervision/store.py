"""The SQL index of cases, their transitions (with tx hash and block) and notices."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from gateway.supervision.errors import CaseNotFound
from gateway.supervision.model import Case, CaseStatus, Transition
from gateway.supervision.tables import CaseRow, NoticeRow, TransitionRow


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class CaseQuery:
    status: str | None = None
    department: str | None = None
    rule_id: str | None = None
    limit: int = 100
    offset: int = 0


class SqlCaseStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def has_dedup_key(self, dedup_key: str) -> bool:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(CaseRow.case_id).where(CaseRow.dedup_key == dedup_key)
            ).first()
        return found is not None

    def add(self, case: Case, first: Transition) -> bool:
        """Insert the case and its opening transition; False if the case already exists."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(CaseRow).values(
                        case_id=case.case_id,
                        rule_id=case.rule_id,
                        dedup_key=case.dedup_key,
                        department=case.department,
                        source=case.source,
                        title=case.title,
                        status=case.status.value,
                        evidence=json.dumps(case.evidence, ensure_ascii=False, sort_keys=True),
                        evidence_hash=case.evidence_hash,
                        opened_at=case.opened_at,
                        due_at=None,
                        updated_at=case.updated_at,
                    )
                )
                connection.execute(insert(TransitionRow).values(_transition_values(case, first)))
        except IntegrityError:
            return False
        return True

    def record(self, case_id: str, step: Transition, due_at: datetime | None = None) -> None:
        values: dict[str, object] = {"status": step.to_status.value, "updated_at": step.at}
        if due_at is not None:
            values["due_at"] = due_at
        with self.engine.begin() as connection:
            connection.execute(insert(TransitionRow).values(_transition_values_for(case_id, step)))
            connection.execute(update(CaseRow).where(CaseRow.case_id == case_id).values(values))

    def get(self, case_id: str) -> Case:
        with self.engine.connect() as connection:
            row = connection.execute(select(CaseRow).where(CaseRow.case_id == case_id)).first()
            if row is None:
                raise CaseNotFound(f"no supervision case {case_id}", case_id=case_id)
            steps = connection.execute(
                select(TransitionRow)
                .where(TransitionRow.case_id == case_id)
                .order_by(TransitionRow.number)
            ).all()
        return _case(row, tuple(_transition(step) for step in steps))

    def find(self, query: CaseQuery) -> list[Case]:
        statement = select(CaseRow).order_by(CaseRow.opened_at.desc(), CaseRow.case_id)
        if query.status:
            statement = statement.where(CaseRow.status == query.status)
        if query.department:
            statement = statement.where(CaseRow.department == query.department)
        if query.rule_id:
            statement = statement.where(CaseRow.rule_id == query.rule_id)
        statement = statement.limit(query.limit).offset(query.offset)
        with self.engine.connect() as connection:
            return [_case(row, ()) for row in connection.execute(statement).all()]

    def count(self, query: CaseQuery) -> int:
        statement = select(func.count()).select_from(CaseRow)
        if query.status:
            statement = statement.where(CaseRow.status == query.status)
        if query.department:
            statement = statement.where(CaseRow.department == query.department)
        with self.engine.connect() as connection:
            return int(connection.execute(statement).scalar_one())

    def due_before(self, moment: datetime) -> list[Case]:
        """Ordered or rectifying cases whose due date has passed."""
        statement = select(CaseRow).where(
            CaseRow.status.in_([CaseStatus.ORDERED.value, CaseStatus.RECTIFYING.value]),
            CaseRow.due_at.is_not(None),
            CaseRow.due_at < moment,
        )
        with self.engine.connect() as connection:
            return [_case(row, ()) for row in connection.execute(statement).all()]

    def add_notice(self, case_id: str, kind: str, role: str, message: str, at: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(NoticeRow).values(
                    case_id=case_id,
                    kind=kind,
                    recipient_role=role,
                    message=message,
                    created_at=at,
                    acknowledged=False,
                )
            )

    def notices(self, limit: int = 50) -> list[dict[str, object]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(NoticeRow).order_by(NoticeRow.id.desc()).limit(limit)
            ).all()
        return [
            {
                "id": row.id,
                "case_id": row.case_id,
                "kind": row.kind,
                "recipient_role": row.recipient_role,
                "message": row.message,
                "created_at": _aware(row.created_at),
            }
            for row in rows
        ]


def _transition_values(case: Case, step: Transition) -> dict[str, object]:
    return _transition_values_for(case.case_id, step)


def _transition_values_for(case_id: str, step: Transition) -> dict[str, object]:
    return {
        "case_id": case_id,
        "number": step.index,
        "from_status": step.from_status.value if step.from_status else None,
        "to_status": step.to_status.value,
        "actor": step.actor,
        "account": step.account,
        "note": json.dumps(step.detail, ensure_ascii=False, sort_keys=True),
        "detail_hash": step.detail_hash,
        "at": step.at,
        "tx_hash": step.tx_hash,
        "block_number": step.block_number,
    }


def _transition(row: Any) -> Transition:
    return Transition(
        index=row.number,
        from_status=CaseStatus(row.from_status) if row.from_status else None,
        to_status=CaseStatus(row.to_status),
        actor=row.actor,
        account=row.account,
        detail=json.loads(row.note),
        detail_hash=row.detail_hash,
        at=_aware(row.at) or row.at,
        tx_hash=row.tx_hash,
        block_number=row.block_number,
    )


def _case(r: Any, steps: Sequence[Transition]) -> Case:
    return Case(
        case_id=r.case_id,
        rule_id=r.rule_id,
        dedup_key=r.dedup_key,
        department=r.department,
        source=r.source,
        title=r.title,
        status=CaseStatus(r.status),
        evidence=json.loads(r.evidence),
        evidence_hash=r.evidence_hash,
        opened_at=_aware(r.opened_at) or r.opened_at,
        due_at=_aware(r.due_at),
        updated_at=_aware(r.updated_at) or r.updated_at,
        transitions=tuple(steps),
    )
