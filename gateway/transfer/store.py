"""The transfer cases in SQL: what the registrar entered, and each condition's evidence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.transfer.errors import TransferExists
from gateway.transfer.tables import TransferAttestationRow, TransferCaseRow


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class SqlTransferStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_case(self, row: TransferCaseRow) -> None:
        try:
            with Session(self.engine) as session, session.begin():
                session.add(row)
        except IntegrityError as exc:
            raise TransferExists(f"case {row.case_id} exists", case_id=row.case_id) from exc

    def case(self, case_id: str) -> TransferCaseRow | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(TransferCaseRow, case_id)

    def cases(self, limit: int = 100) -> list[TransferCaseRow]:
        statement = select(TransferCaseRow).order_by(TransferCaseRow.opened_at.desc()).limit(limit)
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.scalars(statement))

    def update_case(self, case_id: str, **values: Any) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(TransferCaseRow, case_id)
            if row is not None:
                for name, value in values.items():
                    setattr(row, name, value)

    def attestations(self, case_id: str) -> dict[str, TransferAttestationRow]:
        statement = select(TransferAttestationRow).where(TransferAttestationRow.case_id == case_id)
        with Session(self.engine, expire_on_commit=False) as session:
            return {row.condition: row for row in session.scalars(statement)}

    def save_attestation(self, row: TransferAttestationRow) -> None:
        with Session(self.engine) as session, session.begin():
            session.merge(row)
