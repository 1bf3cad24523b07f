"""A Redis lease with a fencing token: at most one holder per job, cluster-wide.

``acquire`` takes the lease with ``SET NX PX`` and a token from a monotonically increasing
counter (the fencing token); a holder that dies loses the lease when it expires, and any
write it might still attempt can be told apart by its older token. ``renew`` extends a lease
still held (a live holder keeps it however long its run takes); ``release`` deletes the
lease only if it still holds it (compare-and-delete under WATCH, so a holder whose lease
expired cannot delete its successor's).
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

ANCHORING_LEASE = "anchoring"
"""The anchoring job's lease (its job name), also held by tx-retry while it resends."""


@dataclass(frozen=True)
class Lease:
    name: str
    token: int


class LeaseManager:
    def __init__(self, client: redis.Redis, prefix: str = "alliance:lease:") -> None:
        self.redis = client
        self.prefix = prefix

    def acquire(self, name: str, ttl_seconds: float) -> Lease | None:
        token = int(self.redis.incr(f"{self.prefix}{name}:fence"))
        taken = self.redis.set(
            f"{self.prefix}{name}", str(token), nx=True, px=max(int(ttl_seconds * 1000), 1)
        )
        return Lease(name, token) if taken else None

    def release(self, lease: Lease) -> bool:
        key = f"{self.prefix}{lease.name}"
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(key)
                if pipe.get(key) != str(lease.token).encode():
                    pipe.unwatch()
                    return False
                pipe.multi()
                pipe.delete(key)
                pipe.execute()
            except redis.WatchError:
                return False
        return True

    def renew(self, lease: Lease, ttl_seconds: float) -> bool:
        """Extend the lease to ``ttl_seconds`` from now if it is still held (same
        compare-then-act under WATCH as :meth:`release`)."""
        key = f"{self.prefix}{lease.name}"
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(key)
                if pipe.get(key) != str(lease.token).encode():
                    pipe.unwatch()
                    return False
                pipe.multi()
                pipe.pexpire(key, max(int(ttl_seconds * 1000), 1))
                pipe.execute()
            except redis.WatchError:
                return False
        return True

    def holder(self, name: str) -> int | None:
        value = self.redis.get(f"{self.prefix}{name}")
        return None if value is None else int(value)
