"""Redis connection: the real server when configured, else an in-process fallback.

The fallback is ``fakeredis``, which speaks the same client API, so the embedded default runs
with no Redis server; it keeps its data in this process only and so suits a single process.
"""

from __future__ import annotations

import redis


def make_redis(url: str) -> redis.Redis:
    """Return a client for ``url``, or an in-process fakeredis server when ``url`` is empty."""
    if not url:
        import fakeredis

        return fakeredis.FakeRedis(server=fakeredis.FakeServer())
    return redis.Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=5.0)
