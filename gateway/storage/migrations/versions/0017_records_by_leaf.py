"""access records indexed by batch and leaf

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-04

Reconciliation reads anchored records in batch and leaf order; with the batch and leaf index
in one index the database streams them in that order instead of sorting each batch. The index
also serves every lookup by batch, so it replaces the one on ``anchor_id`` alone.
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_access_records_anchor_leaf", "access_records", ["anchor_id", "leaf_index"])
    op.drop_index("ix_access_records_anchor_id", table_name="access_records")


def downgrade() -> None:
    op.create_index("ix_access_records_anchor_id", "access_records", ["anchor_id"])
    op.drop_index("ix_access_records_anchor_leaf", table_name="access_records")
