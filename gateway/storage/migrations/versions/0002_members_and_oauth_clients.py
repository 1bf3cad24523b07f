"""members, member events and OAuth clients

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("roles", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("endpoint", sa.String(500), nullable=False),
        sa.Column("public_key", sa.String(128), nullable=False),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("key_history", sa.Text(), nullable=False),
        sa.Column("last_tx_hash", sa.String(66), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_members"),
    )
    op.create_index("ix_members_status", "members", ["status"])
    op.create_index("ix_members_account", "members", ["account"])
    op.create_table(
        "member_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"], ["members.code"], name="fk_member_events_code_members", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_member_events"),
    )
    op.create_index("ix_member_events_code", "member_events", ["code"])
    op.create_table(
        "oauth_clients",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("member_code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=True),
        sa.Column("secret_salt", sa.String(32), nullable=True),
        sa.Column("auth_methods", sa.String(200), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_code"],
            ["members.code"],
            name="fk_oauth_clients_member_code_members",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", name="pk_oauth_clients"),
    )
    op.create_index("ix_oauth_clients_member_code", "oauth_clients", ["member_code"])


def downgrade() -> None:
    op.drop_table("oauth_clients")
    op.drop_table("member_events")
    op.drop_table("members")
