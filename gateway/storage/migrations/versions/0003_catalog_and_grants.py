"""catalogue entries, versions, search terms, grants and grant events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "catalog_entries",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sharing_class", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("version_hash", sa.String(66), nullable=False),
        sa.Column("previous_hash", sa.String(66), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_entries"),
    )
    for column in ("provider", "sharing_class", "status"):
        op.create_index(f"ix_catalog_entries_{column}", "catalog_entries", [column])
    op.create_table(
        "catalog_versions",
        sa.Column("entry_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("version_hash", sa.String(66), nullable=False),
        sa.Column("previous_hash", sa.String(66), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=True),
        sa.Column("published_by", sa.String(100), nullable=False),
        _time("published_at"),
        sa.PrimaryKeyConstraint("entry_id", "number", name="pk_catalog_versions"),
        sa.UniqueConstraint("version_hash", name="uq_catalog_versions_version_hash"),
    )
    op.create_table(
        "catalog_terms",
        sa.Column("term", sa.String(32), nullable=False),
        sa.Column("entry_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("term", "entry_id", name="pk_catalog_terms"),
    )
    op.create_index("ix_catalog_terms_entry_id", "catalog_terms", ["entry_id"])
    op.create_table(
        "grants",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("entry_id", sa.String(32), nullable=False),
        sa.Column("consumer", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("matter_code", sa.String(32), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("requested_fields", sa.Text(), nullable=False),
        sa.Column("allowed_fields", sa.Text(), nullable=False),
        _time("requested_expiry"),
        _time("expires_at", nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("entry_version", sa.String(66), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("last_tx_hash", sa.String(66), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_grants"),
    )
    for column in ("entry_id", "consumer", "provider", "status"):
        op.create_index(f"ix_grants_{column}", "grants", [column])
    op.create_table(
        "grant_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("grant_id", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=True),
        _time("at"),
        sa.PrimaryKeyConstraint("id", name="pk_grant_events"),
    )
    op.create_index("ix_grant_events_grant_id", "grant_events", ["grant_id"])


def downgrade() -> None:
    for table in ("grant_events", "grants", "catalog_terms", "catalog_versions", "catalog_entries"):
        op.drop_table(table)
