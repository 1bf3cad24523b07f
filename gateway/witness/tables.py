"""Witnessed checkpoints of the evidence log (table of migration 0011)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base


class CheckpointRow(Base):
    """A checkpoint of the whole evidence log (RFC 9162 tree size and root) and who co-signed."""

    __tablename__ = "evidence_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    root: Mapped[str] = mapped_column(String(66), nullable=False)
    cosignatures: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    refusals: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
