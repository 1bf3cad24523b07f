"""chain periods, handover records and witnessed checkpoints

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_periods",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("profile", sa.String(64), nullable=False),
        sa.Column("vendor", sa.String(16), nullable=False),
        sa.Column("suite", sa.String(8), nullable=False),
        sa.Column("chain_id", sa.String(32), nullable=False),
        sa.Column("group_id", sa.String(32), nullable=False),
        sa.Column("rpc_url", sa.String(512), nullable=False),
        sa.Column("ledger_address", sa.String(42)),
        sa.Column("first_sequence", sa.BigInteger, nullable=False),
        sa.Column("last_sequence", sa.BigInteger),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("frozen_at", sa.DateTime(timezone=True)),
        sa.Column("handover_id", sa.Integer),
    )
    op.create_table(
        "chain_handovers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("from_profile", sa.String(64), nullable=False),
        sa.Column("to_profile", sa.String(64), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("digest", sa.String(66), nullable=False, unique=True),
        sa.Column("old_tx", sa.String(66), nullable=False),
        sa.Column("new_tx", sa.String(66), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "evidence_checkpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("root", sa.String(66), nullable=False),
        sa.Column("cosignatures", sa.Text, nullable=False),
        sa.Column("refusals", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("evidence_checkpoints")
    op.drop_table("chain_handovers")
    op.drop_table("chain_periods")
