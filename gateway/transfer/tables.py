"""SQL tables of the transfer cases (created by migration 0013).

The chain holds the case's digests, attestations and outcome; these rows keep what the
registrar entered (the personal fields the chain only sees as keyed digests), the evidence
gathered for each condition, and where on chain each step landed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base


class TransferCaseRow(Base):
    __tablename__ = "transfer_cases"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit_number: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    title_number: Mapped[str] = mapped_column(String(100), nullable=False)
    seller_id: Mapped[str] = mapped_column(String(32), nullable=False)
    buyer_id: Mapped[str] = mapped_column(String(32), nullable=False)
    price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    contract_number: Mapped[str] = mapped_column(String(64), nullable=False)
    deadline_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    opened_by: Mapped[str] = mapped_column(String(100), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    open_tx: Mapped[str] = mapped_column(String(66), nullable=False)
    open_block: Mapped[int] = mapped_column(Integer, nullable=False)
    registration_number: Mapped[str | None] = mapped_column(String(32))
    certificate_hash: Mapped[str | None] = mapped_column(String(66))
    complete_tx: Mapped[str | None] = mapped_column(String(66))
    complete_block: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TransferAttestationRow(Base):
    __tablename__ = "transfer_attestations"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    condition: Mapped[str] = mapped_column(String(32), primary_key=True)
    member: Mapped[str] = mapped_column(String(16), nullable=False)
    request_id: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_id: Mapped[str] = mapped_column(String(64), nullable=False)
    http_status: Mapped[int] = mapped_column(Integer, nullable=False)
    response_digest: Mapped[str] = mapped_column(String(66), nullable=False)
    satisfied: Mapped[bool] = mapped_column(Boolean, nullable=False)
    finding: Mapped[str] = mapped_column(Text, nullable=False)
    gathered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    digest: Mapped[str | None] = mapped_column(String(66))
    signature: Mapped[str | None] = mapped_column(String(130))
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    block_number: Mapped[int | None] = mapped_column(Integer)
    attested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    revoke_tx: Mapped[str | None] = mapped_column(String(66))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
