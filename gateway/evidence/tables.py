"""Evidence tables: access records, the anchoring outbox, and anchors (migration 0004)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base


class AccessRecordRow(Base):
    """One brokered request, allowed, denied or failed: logged before anything is forwarded."""

    __tablename__ = "access_records"
    __table_args__ = (Index("ix_access_records_anchor_leaf", "anchor_id", "leaf_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    entry_id: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    entry_version: Mapped[str] = mapped_column(String(66), nullable=False)
    consumer: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    provider: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    purpose: Mapped[str | None] = mapped_column(String(64))
    grant_id: Mapped[str | None] = mapped_column(String(32))
    case_ref: Mapped[str | None] = mapped_column(String(128))
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    """HMAC-SM3 of the entry and the query's parameters under the gateway's storage key: the
    same person asked about twice gives the same key, and the key reveals nobody."""
    client_id: Mapped[str] = mapped_column(String(64), nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), index=True)
    request_digest: Mapped[str] = mapped_column(String(66), nullable=False)
    response_digest: Mapped[str | None] = mapped_column(String(66))
    provider_digest: Mapped[str | None] = mapped_column(String(66))
    decision: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    reason: Mapped[str | None] = mapped_column(String(64))
    http_status: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, index=True
    )
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    receipt: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[bytes | None] = mapped_column(LargeBinary)
    sequence: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    anchor_id: Mapped[int | None] = mapped_column(Integer)
    leaf_index: Mapped[int | None] = mapped_column(Integer)
    proof: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    """The canonical evidence bytes its Merkle leaf commits to, written at anchoring: the
    evidence log entry reconciliation compares the row with (the proof ties it to the root)."""


class OutboxRow(Base):
    """Work for the anchoring job: one row per record not yet anchored."""

    __tablename__ = "evidence_outbox"

    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class AnchorRow(Base):
    """A Merkle batch: prepared (sequences fixed, root known), then anchored on chain."""

    __tablename__ = "evidence_anchors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    root: Mapped[str] = mapped_column(String(66), nullable=False, unique=True)
    prev_root: Mapped[str] = mapped_column(String(66), nullable=False)
    first_sequence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_sequence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    prepared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    anchored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
