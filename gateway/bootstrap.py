"""The composition root: builds every adapter once and hands them to the services.

Called from :func:`gateway.create_app` and from CLI commands, never at import. Building the
container connects to nothing: engines and Redis clients connect on first use.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis
from sqlalchemy import Engine

from gateway.infra.redis import make_redis
from gateway.readiness import Readiness, database_probe, redis_probe
from gateway.settings import Settings
from gateway.storage.engine import make_engine


@dataclass
class Container:
    """Everything the gateway's services share, built from one :class:`Settings`."""

    settings: Settings
    engine: Engine
    redis: redis.Redis
    readiness: Readiness

    def close(self) -> None:
        self.engine.dispose()
        self.redis.close()


def build_container(settings: Settings) -> Container:
    engine = make_engine(settings.sqlalchemy_url)
    redis_client = make_redis(settings.redis_url)
    readiness = Readiness()
    readiness.add("database", database_probe(engine))
    readiness.add("redis", redis_probe(redis_client, embedded=not settings.redis_url))
    return Container(settings=settings, engine=engine, redis=redis_client, readiness=readiness)
