"""Migrations apply to the embedded SQLite file and to a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import inspect, text

from gateway.settings import Settings
from gateway.storage.engine import make_engine
from gateway.storage.migrate import current_revision, head_revision, upgrade


def test_sqlite_file_uses_wal_and_migrates(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert current_revision(engine) == head_revision(engine) is not None
    assert "instance_settings" in inspect(engine).get_table_names()
    assert (settings.data_dir / "gateway.db").is_file()
    engine.dispose()


@pytest.mark.postgres
def test_postgres_migrates_and_upgrade_is_idempotent(
    make_settings: Callable[..., Settings], postgres_url: str
) -> None:
    settings = make_settings(database_url=postgres_url)
    engine = make_engine(settings.sqlalchemy_url)
    assert engine.dialect.name == "postgresql"
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar()
    assert schema is not None and schema.startswith("t_")
    assert "instance_settings" in inspect(engine).get_table_names()
    engine.dispose()
