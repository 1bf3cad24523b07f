"""A child cannot widen what its parent granted it.

On an entry mirrored from the parent (conditional sharing), a grant here needs a grant of the
parent to this gateway for the same matter (事项) that covers every field it allows and lasts
at least as long; applying for or approving more is refused with ``grant_wider_than_parent``
naming what is beyond. At query time the broker shows at most the fields of a usable parent
grant (:meth:`ParentGrantBounds.granted_fields`), so a grant here that the parent later
narrowed, or one altered in this gateway's database, shows no more than the parent allows;
the parent, brokering the forwarded query under its own grant, enforces the same again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gateway.catalog.model import Entry, GrantStatus, SharingClass
from gateway.federation.errors import GrantWiderThanParent
from gateway.federation.tables import UpstreamGrantRow, utc


@dataclass(frozen=True)
class ParentGrant:
    grant_id: str
    entry_id: str
    matter_code: str
    allowed_fields: tuple[str, ...]
    expires_at: datetime | None
    status: str

    def usable_at(self, moment: datetime) -> bool:
        return (
            self.status == GrantStatus.APPROVED.value
            and self.expires_at is not None
            and moment < self.expires_at
        )


def _grant(row: UpstreamGrantRow) -> ParentGrant:
    return ParentGrant(
        grant_id=row.grant_id,
        entry_id=row.entry_id,
        matter_code=row.matter_code,
        allowed_fields=tuple(json.loads(row.allowed_fields)),
        expires_at=utc(row.expires_at),
        status=row.status,
    )


class ParentGrantBounds:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.engine = engine
        self.clock = clock

    def parent_grants(self, entry_id: str | None = None) -> list[ParentGrant]:
        query = select(UpstreamGrantRow).order_by(UpstreamGrantRow.grant_id)
        if entry_id is not None:
            query = query.where(UpstreamGrantRow.entry_id == entry_id)
        with Session(self.engine) as session:
            return [_grant(row) for row in session.scalars(query)]

    def usable(self, entry_id: str, matter_code: str) -> list[ParentGrant]:
        now = self.clock()
        return [
            grant
            for grant in self.parent_grants(entry_id)
            if grant.matter_code == matter_code and grant.usable_at(now)
        ]

    def granted_fields(self, entry_id: str, matter_code: str) -> tuple[str, ...] | None:
        usable = self.usable(entry_id, matter_code)
        if not usable:
            return None
        return tuple(dict.fromkeys(name for grant in usable for name in grant.allowed_fields))

    def check(
        self, entry: Entry, matter_code: str, fields: Sequence[str], expires_at: datetime
    ) -> None:
        """Raise :class:`GrantWiderThanParent` unless one usable parent grant covers it all."""
        if not entry.spec.service.upstream:
            return
        if entry.spec.sharing_class is not SharingClass.CONDITIONAL:
            return
        usable = self.usable(entry.id, matter_code)
        if not usable:
            raise GrantWiderThanParent(
                f"{entry.spec.provider} grants this gateway no use of {entry.id} for the "
                f"matter {matter_code}",
                entry_id=entry.id,
                matter_code=matter_code,
            )
        wanted = set(fields)
        for grant in usable:
            covered = wanted <= set(grant.allowed_fields)
            if covered and grant.expires_at is not None and expires_at <= grant.expires_at:
                return
        widest = max(usable, key=lambda g: (len(set(g.allowed_fields) & wanted), g.expires_at))
        raise GrantWiderThanParent(
            f"{entry.spec.provider}'s grant {widest.grant_id} to this gateway allows less",
            entry_id=entry.id,
            matter_code=matter_code,
            parent_grant=widest.grant_id,
            fields_beyond_parent=sorted(wanted - set(widest.allowed_fields)),
            parent_allowed_fields=list(widest.allowed_fields),
            parent_expires_at=widest.expires_at.isoformat() if widest.expires_at else None,
        )
