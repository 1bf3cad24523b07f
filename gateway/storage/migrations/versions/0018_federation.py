"""multi-level federation: children, their checkpoints, the parent's catalogue and grants

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "federation_children",
        sa.Column("node", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("url", sa.String(512), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        _time("registered_at"),
        sa.Column("catalog_digest", sa.String(66)),
        _time("catalog_pulled_at", nullable=True),
        _time("last_seen_at", nullable=True),
    )
    op.create_table(
        "federation_checkpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("node", sa.String(16), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("root", sa.String(66), nullable=False),
        sa.Column("key_id", sa.String(42), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("document_digest", sa.String(66), nullable=False),
        _time("issued_at"),
        _time("received_at"),
        sa.Column("tx_hash", sa.String(66)),
        sa.Column("block_number", sa.Integer),
        sa.UniqueConstraint("node", "tree_size", name="uq_federation_checkpoints_node_size"),
    )
    op.create_index("ix_federation_checkpoints_via", "federation_checkpoints", ["via"])
    op.create_table(
        "federation_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("node", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        _time("at"),
    )
    op.create_index("ix_federation_events_kind_node", "federation_events", ["kind", "node"])
    op.create_table(
        "federation_pushed",
        sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("root", sa.String(66), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("document_digest", sa.String(66), nullable=False),
        _time("pushed_at"),
        sa.Column("parent_tx_hash", sa.String(66)),
        sa.Column("parent_block", sa.Integer),
    )
    op.create_table(
        "upstream_entries",
        sa.Column("entry_id", sa.String(32), primary_key=True),
        sa.Column("parent_entry_id", sa.String(32), nullable=False),
        sa.Column("parent_version", sa.Integer, nullable=False),
        sa.Column("parent_version_hash", sa.String(66), nullable=False),
        sa.Column("parent_status", sa.String(16), nullable=False),
        _time("synced_at"),
    )
    op.create_table(
        "upstream_grants",
        sa.Column("grant_id", sa.String(64), primary_key=True),
        sa.Column("entry_id", sa.String(32), nullable=False),
        sa.Column("matter_code", sa.String(32), nullable=False),
        sa.Column("allowed_fields", sa.Text, nullable=False),
        _time("expires_at", nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        _time("synced_at"),
    )
    op.create_index("ix_upstream_grants_entry_id", "upstream_grants", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_upstream_grants_entry_id", table_name="upstream_grants")
    op.drop_table("upstream_grants")
    op.drop_table("upstream_entries")
    op.drop_table("federation_pushed")
    op.drop_index("ix_federation_events_kind_node", table_name="federation_events")
    op.drop_table("federation_events")
    op.drop_index("ix_federation_checkpoints_via", table_name="federation_checkpoints")
    op.drop_table("federation_checkpoints")
    op.drop_table("federation_children")
