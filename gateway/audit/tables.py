"""Audit export jobs (migrations 0007, 0009, 0010): one row per requested workbook, with its
progress, and the finished workbooks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base


class AuditExportRow(Base):
    __tablename__ = "audit_exports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    requested_by: Mapped[str] = mapped_column(String(64), nullable=False)
    query: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    rows_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(200))
    manifest_digest: Mapped[str | None] = mapped_column(String(66))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Heartbeat of the process writing it: an unfinished export not updated for a while
    belongs to a process that stopped."""


class AuditExportFileRow(Base):
    """A finished export's signed workbook (migration 0010), in the database every replica
    shares, so any replica serves the download of an export another one wrote."""

    __tablename__ = "audit_export_files"

    export_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
