"""Access tokens in Redis, stored under their SM3 digest, never in clear.

A token is a 256-bit random string handed to the client once. Redis keeps
``oauth:token:<sm3(token)>`` → the token's facts, expiring with the token, and per-member and
per-client sets of digests so a suspension or revocation can delete them all at once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from gateway.crypto.hashing import sm3

_TOKEN = "oauth:token:"  # noqa: S105 - a Redis key prefix
_BY_MEMBER = "oauth:member-tokens:"
_BY_CLIENT = "oauth:client-tokens:"
_REVOKED = "oauth:revoked:"


def token_digest(token: str) -> str:
    return sm3(token.encode()).hex()


@dataclass(frozen=True)
class AccessToken:
    """Facts about a live token; implements what Authlib's ``TokenMixin`` asks."""

    digest: str
    client_id: str
    member_code: str
    scope: str
    issued_at: int
    expires_at: int
    issued_at_ms: int = 0  # to compare with the member's last change within the second

    def check_client(self, client: object) -> bool:
        return getattr(client, "client_id", None) == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_at - self.issued_at

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at

    def is_revoked(self) -> bool:
        return False

    def introspection(self, issuer: str) -> dict[str, object]:
        """RFC 7662 response members for an active token."""
        return {
            "active": True,
            "client_id": self.client_id,
            "sub": self.member_code,
            "scope": self.scope,
            "token_type": "Bearer",
            "iat": self.issued_at,
            "exp": self.expires_at,
            "iss": issuer,
        }


class TokenStore:
    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self.redis = client
        self.clock = clock

    def save(
        self, token: str, client_id: str, member_code: str, scope: str, ttl: int
    ) -> AccessToken:
        moment = self.clock()
        now = int(moment)
        facts = AccessToken(
            digest=token_digest(token),
            client_id=client_id,
            member_code=member_code,
            scope=scope,
            issued_at=now,
            expires_at=now + ttl,
            issued_at_ms=int(moment * 1000),
        )
        body = json.dumps(facts.__dict__)
        with self.redis.pipeline() as pipe:
            pipe.set(_TOKEN + facts.digest, body, ex=ttl)
            for index in (_BY_MEMBER + member_code, _BY_CLIENT + client_id):
                pipe.sadd(index, facts.digest)
                pipe.expire(index, ttl)  # the newest token lives longest
            pipe.execute()
        return facts

    def lookup(self, token: str) -> AccessToken | None:
        raw = self.redis.get(_TOKEN + token_digest(token))
        if raw is None:
            return None
        facts = AccessToken(**json.loads(raw))
        return None if facts.expires_at <= self.clock() else facts

    def revoke(self, token: str) -> bool:
        return bool(self.redis.delete(_TOKEN + token_digest(token)))

    def revoke_member(self, member_code: str) -> int:
        return self._revoke_index(_BY_MEMBER + member_code)

    def revoke_client(self, client_id: str) -> int:
        return self._revoke_index(_BY_CLIENT + client_id)

    def lookup_revoked(self, token: str) -> AccessToken | None:
        """A token revoked with its member, until it would have expired (for the evidence of
        refused attempts); never usable."""
        raw = self.redis.get(_REVOKED + token_digest(token))
        return None if raw is None else AccessToken(**json.loads(raw))

    def _revoke_index(self, index: str) -> int:
        digests = [d.decode() if isinstance(d, bytes) else d for d in self.redis.smembers(index)]
        if not digests:
            return 0
        bodies = self.redis.mget([_TOKEN + digest for digest in digests])
        now = int(self.clock())
        with self.redis.pipeline() as pipe:
            for digest, body in zip(digests, bodies, strict=True):
                if body is not None:
                    ttl = AccessToken(**json.loads(body)).expires_at - now
                    if ttl > 0:
                        pipe.set(_REVOKED + digest, body, ex=ttl)
            pipe.delete(*(_TOKEN + digest for digest in digests))
            pipe.delete(index)
            *_, deleted, _ = pipe.execute()
        return int(deleted)
