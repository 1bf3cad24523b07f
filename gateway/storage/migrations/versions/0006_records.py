"""records and their versions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _time(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("key_hash", sa.String(66), nullable=False),
        sa.Column("latest", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(66), nullable=False),
        sa.Column("uploader", sa.String(100), nullable=False),
        sa.Column("organisation", sa.String(16), nullable=False),
        sa.Column("data_source", sa.String(100), nullable=False),
        sa.Column("record_type", sa.String(16), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("key", name="pk_records"),
        sa.UniqueConstraint("key_hash", name="uq_records_key_hash"),
    )
    for column in ("uploader", "organisation", "data_source", "record_type", "updated_at"):
        op.create_index(f"ix_records_{column}", "records", [column])
    op.create_table(
        "record_versions",
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(66), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
        sa.Column("metadata_json", sa.Text(), nullable=False),
        sa.Column("uploader", sa.String(100), nullable=False),
        sa.Column("organisation", sa.String(16), nullable=False),
        sa.Column("data_source", sa.String(100), nullable=False),
        sa.Column("record_type", sa.String(16), nullable=False),
        sa.Column("tombstone", sa.Boolean(), nullable=False),
        _time("created_at"),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("block_number", sa.Integer(), nullable=False),
        sa.Column("origin_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key", "number", name="pk_record_versions"),
    )


def downgrade() -> None:
    op.drop_table("record_versions")
    for column in ("uploader", "organisation", "data_source", "record_type", "updated_at"):
        op.drop_index(f"ix_records_{column}", table_name="records")
    op.drop_table("records")
