"""Table definitions shared by the gateway's stores; Alembic migrations create them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The largest value of the SQL ``INTEGER`` columns that hold row ids and versions (PostgreSQL's
# is 32-bit): inputs naming one are bounded by it, so a bigger number is a 422, not a 500.
SQL_INT_MAX = 2**31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class InstanceSetting(Base):
    """Facts about this gateway installation fixed by ``alliance init`` (instance id, key ids)."""

    __tablename__ = "instance_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class SharedSecretRow(Base):
    """A secret every replica must hold the same (migration 0010): the first replica to start
    creates it, the others read it."""

    __tablename__ = "shared_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
