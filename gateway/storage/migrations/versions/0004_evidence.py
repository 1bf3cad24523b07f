"""evidence: access records, outbox, anchors

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.String(32), nullable=False),
        sa.Column("entry_version", sa.String(66), nullable=False),
        sa.Column("consumer", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=True),
        sa.Column("grant_id", sa.String(32), nullable=True),
        sa.Column("case_ref", sa.String(128), nullable=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        sa.Column("request_digest", sa.String(66), nullable=False),
        sa.Column("response_digest", sa.String(66), nullable=True),
        sa.Column("provider_digest", sa.String(66), nullable=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.Column("reply", sa.LargeBinary(), nullable=True),
        sa.Column("sequence", sa.BigInteger(), nullable=True),
        sa.Column("anchor_id", sa.Integer(), nullable=True),
        sa.Column("leaf_index", sa.Integer(), nullable=True),
        sa.Column("proof", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_access_records"),
        sa.UniqueConstraint("request_id", name="uq_access_records_request_id"),
        sa.UniqueConstraint("sequence", name="uq_access_records_sequence"),
    )
    for column in ("entry_id", "consumer", "provider", "decision", "received_at", "anchor_id"):
        op.create_index(f"ix_access_records_{column}", "access_records", [column])
    op.create_index(
        "ix_access_records_idempotency",
        "access_records",
        ["consumer", "idempotency_key"],
        unique=True,
    )
    op.create_table(
        "evidence_outbox",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name="pk_evidence_outbox"),
    )
    op.create_table(
        "evidence_anchors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("root", sa.String(66), nullable=False),
        sa.Column("prev_root", sa.String(66), nullable=False),
        sa.Column("first_sequence", sa.BigInteger(), nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anchored_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_anchors"),
        sa.UniqueConstraint("root", name="uq_evidence_anchors_root"),
    )
    op.create_index("ix_evidence_anchors_status", "evidence_anchors", ["status"])


def downgrade() -> None:
    for table in ("evidence_anchors", "evidence_outbox", "access_records"):
        op.drop_table(table)
