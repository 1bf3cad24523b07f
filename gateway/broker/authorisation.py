"""Who may ask what: membership, sharing class, purpose, grant, fields (docs/broker.md).

A refusal is a :class:`QueryDenied` whose code is the reason; the broker logs and receipts it
like any answer. On an entry mirrored from the parent gateway, what a grant here shows is
bounded by the parent's grant to this gateway (docs/federation.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from gateway.broker.errors import QueryDenied
from gateway.broker.upstream import Upstream
from gateway.catalog.model import Entry, EntryStatus, GrantStatus, SharingClass
from gateway.catalog.ports import GrantQuery


class Authoriser:
    def __init__(
        self,
        grants: Any,
        members: Any,
        upstream: Upstream | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.grants = grants
        self.members = members
        self.upstream = upstream
        self.clock = clock

    def authorise(
        self, entry: Entry, consumer: str, purpose: str | None, fields: list[str] | None
    ) -> tuple[str | None, tuple[str, ...] | None]:
        if entry.status is EntryStatus.RETIRED:
            raise QueryDenied("entry_retired", f"{entry.id} is retired", 409)
        if not self.members.is_active(consumer):
            raise QueryDenied("consumer_suspended", f"{consumer} is not an active member")
        if not self.members.is_active(entry.spec.provider):
            raise QueryDenied(
                "provider_suspended", f"{entry.spec.provider} is not an active member", 503
            )
        sharing = entry.spec.sharing_class
        if sharing is SharingClass.NOT_SHARED:
            raise QueryDenied("entry_not_shared", f"{entry.id} is not shared (不予共享)")
        if not purpose:
            raise QueryDenied(
                "purpose_required", "name the administrative matter (事项编码) as purpose", 422
            )
        if sharing is SharingClass.UNCONDITIONAL:
            grant = self.grants.usable_grant(consumer, entry.id, purpose)
            return (grant.id if grant else None), (grant.allowed_fields if grant else None)
        grant = self.grants.usable_grant(consumer, entry.id, purpose)
        if grant is None:
            raise self._why_no_grant(entry, consumer, purpose)
        allowed = grant.allowed_fields
        if entry.spec.service.upstream:
            allowed = self._bounded_by_parent(entry, purpose, allowed)
        if fields:
            missing = sorted(set(fields) - set(allowed))
            if missing:
                raise QueryDenied(
                    "field_not_granted",
                    f"the grant does not cover: {', '.join(missing)}",
                    grant_id=grant.id,
                    fields=missing,
                )
        return grant.id, allowed

    def _bounded_by_parent(
        self, entry: Entry, matter_code: str, allowed: tuple[str, ...]
    ) -> tuple[str, ...]:
        """A grant here on a parent's entry shows at most what the parent's grant allows."""
        above = self.upstream.granted_fields(entry.id, matter_code) if self.upstream else None
        if above is None:
            raise QueryDenied(
                "parent_grant_missing",
                f"{entry.spec.provider} has no usable grant of {entry.id} for this matter "
                "to this gateway",
            )
        return tuple(name for name in allowed if name in above)

    def _why_no_grant(self, entry: Entry, consumer: str, purpose: str) -> QueryDenied:
        grants = self.grants.index.find(
            GrantQuery(consumer=consumer, entry_id=entry.id, limit=1000)
        )
        now = self.clock()
        approved = [g for g in grants if g.status is GrantStatus.APPROVED]
        if any(g.matter_code == purpose and not g.usable_at(now) for g in approved):
            return QueryDenied(
                "grant_expired", f"the grant for {entry.id} and this matter has expired"
            )
        if approved:
            return QueryDenied(
                "wrong_purpose",
                f"no grant of {entry.id} covers the matter {purpose}",
            )
        return QueryDenied("no_grant", f"{consumer} holds no grant for {entry.id}")
