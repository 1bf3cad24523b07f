"""Chain history tables: chain periods and handover records (migration 0011)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base


class ChainPeriodRow(Base):
    """A span of the evidence log anchored on one chain; the open one has no ``ended_at``."""

    __tablename__ = "chain_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    profile: Mapped[str] = mapped_column(String(64), nullable=False)
    vendor: Mapped[str] = mapped_column(String(16), nullable=False)
    suite: Mapped[str] = mapped_column(String(8), nullable=False)
    chain_id: Mapped[str] = mapped_column(String(32), nullable=False)
    group_id: Mapped[str] = mapped_column(String(32), nullable=False)
    rpc_url: Mapped[str] = mapped_column(String(512), nullable=False, default="")
    ledger_address: Mapped[str | None] = mapped_column(String(42))
    first_sequence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_sequence: Mapped[int | None] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handover_id: Mapped[int | None] = mapped_column(Integer)


class ChainHandoverRow(Base):
    """A signed handover record, written on the old and the new chain."""

    __tablename__ = "chain_handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    from_profile: Mapped[str] = mapped_column(String(64), nullable=False)
    to_profile: Mapped[str] = mapped_column(String(64), nullable=False)
    document: Mapped[str] = mapped_column(Text, nullable=False)
    digest: Mapped[str] = mapped_column(String(66), nullable=False, unique=True)
    old_tx: Mapped[str] = mapped_column(String(66), nullable=False)
    new_tx: Mapped[str] = mapped_column(String(66), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
