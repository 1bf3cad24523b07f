"""The same client API against the real Redis server and the embedded fallback."""

from __future__ import annotations

import pytest
import redis

from gateway.infra.redis import make_redis


def _exercise(client: redis.Redis) -> None:
    assert client.ping() is True
    client.set("alliance:probe", "一", ex=30)
    assert client.get("alliance:probe") == "一".encode()
    assert 0 < client.ttl("alliance:probe") <= 30
    assert client.incr("alliance:counter") == 1
    assert client.set("alliance:lock", "a", nx=True, px=1000) is True
    assert client.set("alliance:lock", "b", nx=True, px=1000) is None


def test_embedded_fallback() -> None:
    client = make_redis("")
    _exercise(client)
    # each fallback is private to the process that made it
    assert make_redis("").get("alliance:probe") is None


@pytest.mark.redis
def test_real_server(redis_url: str) -> None:
    client = make_redis(redis_url)
    _exercise(client)
    assert "redis_version" in client.info("server")
    client.close()


def test_unreachable_server_raises_connection_error() -> None:
    client = make_redis("redis://127.0.0.1:1/0")
    with pytest.raises(redis.ConnectionError):
        client.ping()
