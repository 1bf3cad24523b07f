"""SQL tables of the member index (created by migration 0002)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base


class MemberRow(Base):
    __tablename__ = "members"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    credit_code: Mapped[str] = mapped_column(String(18), nullable=False, default="")
    roles: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    contact: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    endpoint: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    public_key: Mapped[str] = mapped_column(String(128), nullable=False)
    account: Mapped[str] = mapped_column(String(42), nullable=False, index=True)
    key_history: Mapped[str] = mapped_column(Text, nullable=False, default="")
    last_tx_hash: Mapped[str | None] = mapped_column(String(66))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class MemberEventRow(Base):
    __tablename__ = "member_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(
        String(16), ForeignKey("members.code", ondelete="CASCADE"), nullable=False, index=True
    )
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
