"""Scopes (``resource:action``) and which roles may hold them.

``query:<entry-id>`` names one catalogue entry; a client allowed ``query:*`` may ask for any
entry's scope, and the grant check in the broker decides whether it may really query it.
"""

from __future__ import annotations

from collections.abc import Iterable

from gateway.members.model import Role

ROLE_SCOPES: dict[Role, tuple[str, ...]] = {
    Role.PROVIDER: (
        "catalog:read",
        "catalog:write",
        "grants:decide",
        "records:read",
        "records:write",
        "transfer:read",
        "transfer:write",
    ),
    Role.CONSUMER: (
        "catalog:read",
        "grants:apply",
        "query:*",
        "records:read",
        "supervision:read",
        "supervision:write",
        "transfer:read",
        "transfer:write",
    ),
    Role.OFFICE: (
        "members:read",
        "members:admin",
        "catalog:read",
        "catalog:admin",
        "grants:decide",
        "contracts:read",
        "apis:read",
        "records:read",
        "records:write",
        "supervision:read",
        "supervision:write",
        "transfer:read",
    ),
    Role.AUDITOR: (
        "members:read",
        "audit:read",
        "audit:export",
        "supervision:read",
        "transfer:read",
    ),
}

LINK_SCOPES = ("federation:sync",)
"""Held by no role: the client of a child gateway registered here (docs/federation.md)."""

SCOPES_SUPPORTED = sorted(
    {scope for scopes in ROLE_SCOPES.values() for scope in scopes} | set(LINK_SCOPES)
)


def scopes_for_roles(roles: Role) -> tuple[str, ...]:
    granted: list[str] = []
    for role, scopes in ROLE_SCOPES.items():
        if role in roles:
            granted.extend(scope for scope in scopes if scope not in granted)
    return tuple(granted)


def scope_allowed(requested: str, allowed: Iterable[str]) -> bool:
    """Whether one requested scope is covered by the allowed ones (``query:*`` wildcard)."""
    for scope in allowed:
        if scope == requested:
            return True
        if (
            scope.endswith(":*")
            and requested.startswith(scope[:-1])
            and len(requested) > len(scope) - 1
        ):
            return True
    return False


def parse_scope(value: str | None) -> list[str]:
    return [part for part in (value or "").split() if part]
