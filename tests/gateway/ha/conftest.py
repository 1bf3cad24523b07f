"""Two gateway replicas (two apps) on one PostgreSQL schema and one Redis database.

The alliance is initialised once per module on PostgreSQL (embedded chain, twelve members,
catalogue, grants); each test gets two fresh apps over it, the Redis database emptied first.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import create_engine, text

from gateway import create_app
from gateway.bootstrap import build_container
from gateway.instance import initialise
from gateway.settings import Settings, load_settings
from tests.conftest import FAST_CHAIN, POSTGRES_URL, REDIS_URL

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def shared_postgres() -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _environ(data_dir: Path, database_url: str, **overrides: str) -> dict[str, str]:
    environ = {
        "ALLIANCE_DATA_DIR": str(data_dir),
        "ALLIANCE_LOG_FORMAT": "text",
        "ALLIANCE_DATABASE_URL": database_url,
        "ALLIANCE_REDIS_URL": REDIS_URL,
    }
    environ.update({f"ALLIANCE_{k.upper()}": v for k, v in FAST_CHAIN.items()})
    environ.update({f"ALLIANCE_{k.upper()}": v for k, v in overrides.items()})
    return environ


@pytest.fixture(scope="module")
def shared_data_dir(shared_postgres: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("ha") / "var"
    container = build_container(load_settings(environ=_environ(data_dir, shared_postgres)))
    try:
        initialise(container)
    finally:
        container.close()
    return data_dir


Replicas = Callable[..., tuple[Flask, Flask]]


@pytest.fixture
def replicas(shared_data_dir: Path, shared_postgres: str) -> Iterator[Replicas]:
    """``replicas(**settings)``: two apps sharing the database, Redis and keys."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    apps: list[Flask] = []

    def make(**overrides: Any) -> tuple[Flask, Flask]:
        settings: Settings = load_settings(
            environ=_environ(
                shared_data_dir, shared_postgres, **{k: str(v) for k, v in overrides.items()}
            )
        )
        pair = (create_app(settings), create_app(settings))
        apps.extend(pair)
        return pair

    try:
        yield make
    finally:
        for app in apps:
            app.extensions["alliance"].close()
        client.flushdb()
        client.close()
