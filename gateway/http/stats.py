"""Call counts and error counts per API endpoint, one Redis hash per UTC day.

Counting is best effort: it costs one pipelined round trip after the response is built, and a
Redis failure is logged and then not retried for a while, so a missing Redis never fails or
slows the requests it counts.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import redis

log = logging.getLogger(__name__)

KEY_PREFIX = "alliance:api-calls:"
DAYS_KEPT = 90
RETRY_AFTER_SECONDS = 30.0
_SEP = "\t"
_PARAM = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """Flask's ``/members/<code>`` or ``<int:id>`` as OpenAPI's ``/members/{code}``."""
    return _PARAM.sub(r"{\1}", rule)


@dataclass(frozen=True)
class EndpointCalls:
    method: str
    path: str
    calls: int = 0
    client_errors: int = 0
    server_errors: int = 0

    @property
    def errors(self) -> int:
        return self.client_errors + self.server_errors

    @property
    def error_rate(self) -> float:
        return self.errors / self.calls if self.calls else 0.0


class ApiCallStats:
    """Counts calls per ``(method, path)``; reads totals over the last days."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        clock: Callable[[], float] = time.time,
        retry_after: float = RETRY_AFTER_SECONDS,
    ) -> None:
        self._redis = client
        self._clock = clock
        self._retry_after = retry_after
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def _day(self, offset: int = 0) -> date:
        return datetime.fromtimestamp(self._clock(), UTC).date() - timedelta(days=offset)

    def record(self, method: str, path: str, status: int) -> bool:
        """Count one call; returns whether it was counted (never raises)."""
        now = self._clock()
        if now < self._paused_until:
            return False
        key = KEY_PREFIX + self._day().isoformat()
        field = f"{method}{_SEP}{path}{_SEP}"
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.hincrby(key, field + "calls", 1)
            if 400 <= status < 500:
                pipe.hincrby(key, field + "4xx", 1)
            elif status >= 500:
                pipe.hincrby(key, field + "5xx", 1)
            pipe.expire(key, DAYS_KEPT * 86400)
            pipe.execute()
        except (redis.RedisError, OSError) as exc:
            with self._lock:
                self._paused_until = now + self._retry_after
            log.warning(
                "API call counting paused for %.0f s: %s", self._retry_after, type(exc).__name__
            )
            return False
        return True

    def totals(self, days: int) -> dict[tuple[str, str], EndpointCalls]:
        """Totals per ``(method, path)`` over today and the ``days - 1`` days before."""
        counts: dict[tuple[str, str], dict[str, int]] = {}
        pipe = self._redis.pipeline(transaction=False)
        for offset in range(days):
            pipe.hgetall(KEY_PREFIX + self._day(offset).isoformat())
        for day in pipe.execute():
            for raw_field, raw_value in day.items():
                field = raw_field.decode() if isinstance(raw_field, bytes) else str(raw_field)
                method, path, kind = field.split(_SEP)
                slot = counts.setdefault((method, path), {})
                slot[kind] = slot.get(kind, 0) + int(raw_value)
        return {
            key: EndpointCalls(
                key[0],
                key[1],
                calls=slot.get("calls", 0),
                client_errors=slot.get("4xx", 0),
                server_errors=slot.get("5xx", 0),
            )
            for key, slot in counts.items()
        }
