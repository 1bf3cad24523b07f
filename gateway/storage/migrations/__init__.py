"""Alembic migration scripts for the gateway schema."""
