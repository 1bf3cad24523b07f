"""SQL tables of the federation (migration 0018): a parent's children and their checkpoints,
a child's pushed checkpoints and its copy of the parent's catalogue and grants."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base


def utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite gives them back naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class ChildRow(Base):
    """A gateway registered as this gateway's child (it is also a member on MemberRegistry)."""

    __tablename__ = "federation_children"

    node: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    url: Mapped[str] = mapped_column(String(512), nullable=False)
    client_id: Mapped[str] = mapped_column(String(64), nullable=False)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    catalog_digest: Mapped[str | None] = mapped_column(String(66))
    catalog_pulled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ChildCheckpointRow(Base):
    """A descendant's signed checkpoint this gateway accepted and anchored on FederationLedger."""

    __tablename__ = "federation_checkpoints"
    __table_args__ = (
        UniqueConstraint("node", "tree_size", name="uq_federation_checkpoints_node_size"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    node: Mapped[str] = mapped_column(String(16), nullable=False)
    via: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    root: Mapped[str] = mapped_column(String(66), nullable=False)
    key_id: Mapped[str] = mapped_column(String(42), nullable=False)
    document: Mapped[str] = mapped_column(Text, nullable=False)
    document_digest: Mapped[str] = mapped_column(String(66), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    block_number: Mapped[int | None] = mapped_column(Integer)


class FederationEventRow(Base):
    """One sync step with its outcome: a pull, a push, an accepted or refused checkpoint."""

    __tablename__ = "federation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    node: Mapped[str] = mapped_column(String(16), nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class PushedCheckpointRow(Base):
    """A checkpoint of this gateway's own evidence log that its parent accepted."""

    __tablename__ = "federation_pushed"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(String(66), nullable=False)
    document: Mapped[str] = mapped_column(Text, nullable=False)
    document_digest: Mapped[str] = mapped_column(String(66), nullable=False)
    pushed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    parent_tx_hash: Mapped[str | None] = mapped_column(String(66))
    parent_block: Mapped[int | None] = mapped_column(Integer)


class UpstreamEntryRow(Base):
    """A parent's catalogue entry mirrored into this gateway's catalogue as ``entry_id``."""

    __tablename__ = "upstream_entries"

    entry_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    parent_entry_id: Mapped[str] = mapped_column(String(32), nullable=False)
    parent_version: Mapped[int] = mapped_column(Integer, nullable=False)
    parent_version_hash: Mapped[str] = mapped_column(String(66), nullable=False)
    parent_status: Mapped[str] = mapped_column(String(16), nullable=False)
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class UpstreamGrantRow(Base):
    """A grant the parent gave this gateway: the bound of every grant here on that entry."""

    __tablename__ = "upstream_grants"

    grant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    matter_code: Mapped[str] = mapped_column(String(32), nullable=False)
    allowed_fields: Mapped[str] = mapped_column(Text, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
