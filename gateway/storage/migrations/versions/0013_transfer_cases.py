"""transfer cases and their attestations

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "transfer_cases",
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("unit_number", sa.String(32), nullable=False),
        sa.Column("title_number", sa.String(100), nullable=False),
        sa.Column("seller_id", sa.String(32), nullable=False),
        sa.Column("buyer_id", sa.String(32), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("contract_number", sa.String(64), nullable=False),
        sa.Column("deadline_ms", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        _time("opened_at"),
        sa.Column("open_tx", sa.String(66), nullable=False),
        sa.Column("open_block", sa.Integer(), nullable=False),
        sa.Column("registration_number", sa.String(32), nullable=True),
        sa.Column("certificate_hash", sa.String(66), nullable=True),
        sa.Column("complete_tx", sa.String(66), nullable=True),
        sa.Column("complete_block", sa.Integer(), nullable=True),
        _time("completed_at", nullable=True),
        sa.PrimaryKeyConstraint("case_id", name="pk_transfer_cases"),
    )
    op.create_index("ix_transfer_cases_unit_number", "transfer_cases", ["unit_number"])
    op.create_index("ix_transfer_cases_status", "transfer_cases", ["status"])
    op.create_table(
        "transfer_attestations",
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("condition", sa.String(32), nullable=False),
        sa.Column("member", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.String(64), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=False),
        sa.Column("response_digest", sa.String(66), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        _time("gathered_at"),
        sa.Column("digest", sa.String(66), nullable=True),
        sa.Column("signature", sa.String(130), nullable=True),
        sa.Column("tx_hash", sa.String(66), nullable=True),
        sa.Column("block_number", sa.Integer(), nullable=True),
        _time("attested_at", nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("revoke_tx", sa.String(66), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("case_id", "condition", name="pk_transfer_attestations"),
    )


def downgrade() -> None:
    op.drop_table("transfer_attestations")
    op.drop_index("ix_transfer_cases_status", table_name="transfer_cases")
    op.drop_index("ix_transfer_cases_unit_number", table_name="transfer_cases")
    op.drop_table("transfer_cases")
