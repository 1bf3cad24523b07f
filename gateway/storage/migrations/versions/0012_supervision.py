"""supervision cases, transitions and notices; subject keys of access records

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("access_records") as batch:
        batch.add_column(sa.Column("subject_key", sa.String(64), nullable=True))
        batch.create_index("ix_access_records_subject_key", ["subject_key"])
    op.create_table(
        "supervision_cases",
        sa.Column("case_id", sa.String(66), nullable=False),
        sa.Column("rule_id", sa.String(32), nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("department", sa.String(16), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("evidence_hash", sa.String(66), nullable=False),
        _time("opened_at"),
        _time("due_at", nullable=True),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("case_id", name="pk_supervision_cases"),
        sa.UniqueConstraint("dedup_key", name="uq_supervision_cases_dedup_key"),
    )
    for column in ("rule_id", "department", "status"):
        op.create_index(f"ix_supervision_cases_{column}", "supervision_cases", [column])
    op.create_table(
        "supervision_transitions",
        sa.Column("case_id", sa.String(66), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(16), nullable=False),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail_hash", sa.String(66), nullable=False),
        _time("at"),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "number", name="pk_supervision_transitions"),
    )
    op.create_table(
        "supervision_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(66), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recipient_role", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        _time("created_at"),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_supervision_notices"),
    )
    op.create_index("ix_supervision_notices_case_id", "supervision_notices", ["case_id"])


def downgrade() -> None:
    op.drop_table("supervision_notices")
    op.drop_table("supervision_transitions")
    op.drop_table("supervision_cases")
    with op.batch_alter_table("access_records") as batch:
        batch.drop_index("ix_access_records_subject_key")
        batch.drop_column("subject_key")
