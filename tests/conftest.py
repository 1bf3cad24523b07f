"""Fixtures shared by the whole suite: settings, apps, and the real PostgreSQL and Redis.

The PostgreSQL and Redis integration tests fail (they do not skip) when the servers are
down, so a green run always means they really ran. Set ALLIANCE_TEST_POSTGRES_URL /
ALLIANCE_TEST_REDIS_URL to point them elsewhere.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, text

from gateway.settings import Settings, load_settings

POSTGRES_URL = os.environ.get(
    "ALLIANCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("ALLIANCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

SettingsFactory = Callable[..., Settings]


@pytest.fixture
def make_settings(tmp_path: Path) -> SettingsFactory:
    """Settings from conf/defaults.toml plus ``ALLIANCE_*``-style overrides, data in tmp_path."""

    def factory(**overrides: Any) -> Settings:
        environ = {"ALLIANCE_DATA_DIR": str(tmp_path / "var"), "ALLIANCE_LOG_FORMAT": "text"}
        environ.update({f"ALLIANCE_{key.upper()}": str(value) for key, value in overrides.items()})
        return load_settings(environ=environ)

    return factory


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections use a fresh schema of the real PostgreSQL ``test`` database."""
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


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The real Redis server, on a database emptied before and after the test."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
        client.close()


FAST_CHAIN = {"chain_devnode_block_interval": "0.02", "oauth_token_rate_limit": "1000/minute"}


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory after ``alliance init``: contracts deployed, twelve members active.

    Built once per run; tests copy it (see ``seeded_settings``) so each starts from the same
    alliance and may change it freely.
    """
    return initialise_alliance(tmp_path_factory.mktemp("seeded") / "var")


def initialise_alliance(data_dir: Path) -> Path:
    """``alliance init`` into ``data_dir`` with the fast chain: a whole alliance, keys its own."""
    from gateway.bootstrap import build_container
    from gateway.instance import initialise

    environ = {"ALLIANCE_DATA_DIR": str(data_dir), "ALLIANCE_LOG_FORMAT": "text"}
    environ.update({f"ALLIANCE_{k.upper()}": v for k, v in FAST_CHAIN.items()})
    container = build_container(load_settings(environ=environ))
    try:
        initialise(container)
    finally:
        container.close()
    return data_dir


@pytest.fixture
def seeded_settings(seeded_template: Path, make_settings: SettingsFactory) -> Settings:
    """Settings over a private copy of the seeded alliance."""
    import shutil

    settings = make_settings(**FAST_CHAIN)
    shutil.copytree(seeded_template, settings.data_dir)
    (settings.data_dir / "chain" / "endpoint.json").unlink(missing_ok=True)
    return settings


@pytest.fixture
def member_credentials(seeded_settings: Settings) -> Callable[[str], dict[str, Any]]:
    """``member_credentials("NRD")``: the credentials file ``alliance init`` wrote for NRD."""
    import json

    def read(code: str) -> dict[str, Any]:
        path = seeded_settings.data_dir / "credentials" / f"{code}.json"
        return json.loads(path.read_text())  # type: ignore[no-any-return]

    return read


@pytest.fixture
def live(seeded_settings: Settings) -> Iterator[Any]:
    """The seeded alliance served over real HTTP on a loopback port."""
    from tests.live_gateway import serve

    yield from serve(seeded_settings)


@pytest.fixture
def alliance(seeded_settings: Settings) -> Iterator[Any]:
    """The seeded alliance (test client) with its provider simulators on loopback."""
    from tests.alliance_support import start_alliance

    settings = seeded_settings.model_copy(
        update={
            "providers": seeded_settings.providers.model_copy(
                update={"pass_fault_header": True, "read_timeout": 1.5, "retries": 0}
            )
        }
    )
    yield from start_alliance(settings)


@pytest.fixture(scope="session")
def accounts() -> Any:
    from tests.vectors import load_vectors

    return load_vectors("accounts.json")


@pytest.fixture(scope="session")
def transactions() -> Any:
    from tests.vectors import load_vectors

    return load_vectors("transactions_v2.json")


@pytest.fixture(scope="session")
def selectors_topics() -> Any:
    from tests.vectors import load_vectors

    return load_vectors("selectors_topics.json")
