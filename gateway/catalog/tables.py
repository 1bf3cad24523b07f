"""SQL tables of the catalogue and grants (created by migration 0003)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base


class EntryRow(Base):
    __tablename__ = "catalog_entries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    sharing_class: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    version_hash: Mapped[str] = mapped_column(String(66), nullable=False)
    previous_hash: Mapped[str] = mapped_column(String(66), nullable=False)
    document: Mapped[str] = mapped_column(Text, nullable=False)
    search_text: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class EntryVersionRow(Base):
    __tablename__ = "catalog_versions"

    entry_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_hash: Mapped[str] = mapped_column(String(66), nullable=False, unique=True)
    previous_hash: Mapped[str] = mapped_column(String(66), nullable=False)
    document: Mapped[str] = mapped_column(Text, nullable=False)
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    published_by: Mapped[str] = mapped_column(String(100), nullable=False)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class TermRow(Base):
    __tablename__ = "catalog_terms"

    term: Mapped[str] = mapped_column(String(32), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class GrantRow(Base):
    __tablename__ = "grants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    consumer: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    provider: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    matter_code: Mapped[str] = mapped_column(String(32), nullable=False)
    purpose: Mapped[str] = mapped_column(Text, nullable=False)
    requested_fields: Mapped[str] = mapped_column(Text, nullable=False)
    allowed_fields: Mapped[str] = mapped_column(Text, nullable=False, default="")
    requested_expiry: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    entry_version: Mapped[str | None] = mapped_column(String(66))
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    last_tx_hash: Mapped[str | None] = mapped_column(String(66))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class GrantEventRow(Base):
    __tablename__ = "grant_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    grant_id: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
