"""Access applications and grants (申请与审批): consumers apply, providers decide.

A conditional entry needs an approved grant naming the administrative matter (事项编码), the
fields and an expiry; an unconditional entry's applications are approved at once on the
office's authority; a not-shared entry cannot be granted at all. Every step is written to
``AccessGrants`` first. Expiries are kept as UTC datetimes here and as milliseconds since the
epoch on chain (FISCO BCOS block time).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from gateway.catalog.actors import Actor
from gateway.catalog.errors import (
    EntryRetired,
    GrantNotFound,
    IllegalGrantTransition,
    InvalidGrant,
    NotEntryOwner,
    NotShared,
)
from gateway.catalog.model import EntryStatus, Grant, GrantStatus, SharingClass
from gateway.catalog.ports import GrantBounds, GrantIndex, GrantLedger, GrantQuery
from gateway.catalog.service import CatalogService

AUTO_APPROVER = "office (unconditional entry)"
MAX_GRANT_DAYS = 3 * 366


def to_chain_time(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class GrantService:
    def __init__(
        self,
        index: GrantIndex,
        ledger: GrantLedger,
        catalog: CatalogService,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        bounds: GrantBounds | None = None,
    ) -> None:
        self.index = index
        self.ledger = ledger
        self.catalog = catalog
        self.clock = clock
        self.bounds = bounds

    # -- queries -------------------------------------------------------------------------

    def get(self, grant_id: str, actor: Actor) -> Grant:
        grant = self.index.get(grant_id)
        if grant is None or not (actor.acts_for(grant.consumer) or actor.acts_for(grant.provider)):
            raise GrantNotFound(f"no grant {grant_id!r}", grant_id=grant_id)
        return grant

    def find(self, query: GrantQuery, actor: Actor) -> list[Grant]:
        if actor.is_office:
            return self.index.find(query)
        as_consumer = self.index.find(dataclasses.replace(query, consumer=actor.member))
        as_provider = self.index.find(dataclasses.replace(query, provider=actor.member))
        merged = {g.id: g for g in as_consumer + as_provider}
        wanted = [g for g in merged.values() if query.consumer in (None, g.consumer)]
        wanted = [g for g in wanted if query.provider in (None, g.provider)]
        return sorted(wanted, key=lambda g: g.id)[: query.limit]

    def usable_grant(self, consumer: str, entry_id: str, matter_code: str) -> Grant | None:
        """The consumer's approved, unexpired grant for this entry and matter, if any."""
        now = self.clock()
        candidates = self.index.find(
            GrantQuery(consumer=consumer, entry_id=entry_id, status=GrantStatus.APPROVED, limit=500)
        )
        usable = [g for g in candidates if g.matter_code == matter_code and g.usable_at(now)]
        return max(usable, key=lambda g: g.expires_at or now, default=None)

    # -- lifecycle -----------------------------------------------------------------------

    def apply(
        self,
        entry_id: str,
        consumer: str,
        matter_code: str,
        purpose: str,
        fields: list[str],
        requested_expiry: datetime,
        actor: Actor,
    ) -> Grant:
        entry = self.catalog.get(entry_id)
        if not actor.acts_for(consumer):
            raise NotEntryOwner(f"{actor.member} may not apply on behalf of {consumer}")
        if entry.status is EntryStatus.RETIRED:
            raise EntryRetired(f"entry {entry_id} is retired", entry_id=entry_id)
        if entry.spec.sharing_class is SharingClass.NOT_SHARED:
            raise NotShared(f"entry {entry_id} is not shared (不予共享)", entry_id=entry_id)
        unknown = sorted(set(fields) - {f.name for f in entry.spec.fields})
        if not fields or unknown:
            raise InvalidGrant("request at least one of the entry's fields", unknown_fields=unknown)
        now = self.clock()
        if requested_expiry <= now or requested_expiry > now + timedelta(days=MAX_GRANT_DAYS):
            raise InvalidGrant(f"the expiry must be in the future and within {MAX_GRANT_DAYS} days")
        if not matter_code.isascii() or not 0 < len(matter_code) <= 32:
            raise InvalidGrant("the matter code (事项编码) must be 1-32 ASCII characters")
        if self.bounds is not None:
            self.bounds.check(entry, matter_code, fields, requested_expiry)
        grant = Grant(
            id=uuid.uuid4().hex,
            entry_id=entry_id,
            consumer=consumer,
            provider=entry.spec.provider,
            matter_code=matter_code,
            purpose=purpose,
            requested_fields=tuple(dict.fromkeys(fields)),
            allowed_fields=(),
            requested_expiry=requested_expiry,
            expires_at=None,
            status=GrantStatus.APPLIED,
            entry_version=None,
            reason="",
            created_at=now,
            updated_at=now,
        )
        tx_hash = self.ledger.apply(
            grant.id,
            entry_id,
            consumer,
            matter_code,
            purpose,
            grant.requested_fields,
            to_chain_time(requested_expiry),
        )
        grant = dataclasses.replace(grant, last_tx_hash=tx_hash)
        self.index.save(grant)
        self.index.add_event(grant.id, "apply", actor.label, purpose, tx_hash, now)
        if entry.spec.sharing_class is SharingClass.UNCONDITIONAL:
            office = Actor(member=actor.member, is_office=True, label=AUTO_APPROVER)
            return self.approve(grant.id, None, None, office)
        return grant

    def approve(
        self,
        grant_id: str,
        allowed_fields: list[str] | None,
        expires_at: datetime | None,
        actor: Actor,
    ) -> Grant:
        grant = self._for_provider(grant_id, actor, "approve")
        fields = tuple(allowed_fields) if allowed_fields else grant.requested_fields
        extra = sorted(set(fields) - set(grant.requested_fields))
        if extra:
            raise InvalidGrant("only requested fields can be allowed", not_requested=extra)
        expiry = expires_at or grant.requested_expiry
        if expiry > grant.requested_expiry or expiry <= self.clock():
            raise InvalidGrant("the expiry must be in the future and no later than requested")
        if self.bounds is not None:
            self.bounds.check(self.catalog.get(grant.entry_id), grant.matter_code, fields, expiry)
        tx_hash = self.ledger.approve(grant_id, fields, to_chain_time(expiry))
        on_chain = self.ledger.read(grant_id)
        approved = dataclasses.replace(
            grant,
            status=GrantStatus.APPROVED,
            allowed_fields=fields,
            expires_at=expiry,
            entry_version=on_chain.entry_version if on_chain else None,
            updated_at=self.clock(),
            last_tx_hash=tx_hash,
        )
        self.index.save(approved)
        self.index.add_event(grant_id, "approve", actor.label, "", tx_hash, self.clock())
        return approved

    def reject(self, grant_id: str, reason: str, actor: Actor) -> Grant:
        grant = self._for_provider(grant_id, actor, "reject")
        tx_hash = self.ledger.reject(grant_id, reason)
        return self._record(grant, GrantStatus.REJECTED, "reject", reason, tx_hash, actor)

    def revoke(self, grant_id: str, reason: str, actor: Actor) -> Grant:
        grant = self.get(grant_id, actor)
        if grant.status is not GrantStatus.APPROVED:
            raise IllegalGrantTransition(
                f"cannot revoke a grant that is {grant.status.value}", grant_id=grant_id
            )
        tx_hash = self.ledger.revoke(grant_id, reason)
        return self._record(grant, GrantStatus.REVOKED, "revoke", reason, tx_hash, actor)

    def _for_provider(self, grant_id: str, actor: Actor, action: str) -> Grant:
        grant = self.get(grant_id, actor)
        if not actor.acts_for(grant.provider):
            raise NotEntryOwner(
                f"only {grant.provider} (the entry's provider) or the office may {action} it",
                grant_id=grant_id,
            )
        if grant.status is not GrantStatus.APPLIED:
            raise IllegalGrantTransition(
                f"cannot {action} a grant that is {grant.status.value}", grant_id=grant_id
            )
        return grant

    def _record(
        self,
        grant: Grant,
        status: GrantStatus,
        action: str,
        reason: str,
        tx_hash: str,
        actor: Actor,
    ) -> Grant:
        changed = dataclasses.replace(
            grant, status=status, reason=reason, updated_at=self.clock(), last_tx_hash=tx_hash
        )
        self.index.save(changed)
        self.index.add_event(grant.id, action, actor.label, reason, tx_hash, self.clock())
        return changed
