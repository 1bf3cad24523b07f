"""The membership service: the office admits, suspends, reinstates and revokes departments.

Every change is written to ``MemberRegistry`` first (the source of truth, signed by the
office's governance key); only when the chain accepts it does the SQL index follow and the
side effects run (credentials issued on approval, tokens killed on suspension).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gateway.members.errors import IllegalTransition, MemberExists, MemberNotFound
from gateway.members.model import Action, Member, MemberProfile, MemberStatus, next_status
from gateway.members.ports import (
    CredentialIssuer,
    IssuedCredentials,
    MemberEvent,
    MemberIndex,
    MemberKeys,
    MemberLedger,
    MemberQuery,
)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


class MembershipService:
    def __init__(
        self,
        index: MemberIndex,
        ledger: MemberLedger,
        credentials: CredentialIssuer,
        keys: MemberKeys,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.index = index
        self.ledger = ledger
        self.credentials = credentials
        self.keys = keys
        self.clock = clock

    # -- queries -------------------------------------------------------------------------

    def get(self, code: str) -> Member:
        member = self.index.get(code)
        if member is None:
            raise MemberNotFound(f"no member with code {code!r}", member=code)
        return member

    def find(self, query: MemberQuery) -> list[Member]:
        return self.index.find(query)

    def history(self, code: str) -> list[MemberEvent]:
        self.get(code)
        return self.index.events(code)

    # -- lifecycle -----------------------------------------------------------------------

    def apply(self, profile: MemberProfile, public_key: bytes | None, actor: str) -> Member:
        """Register an application; without a public key the gateway generates the key pair."""
        if self.index.get(profile.code) is not None or self.ledger.read(profile.code):
            raise MemberExists(f"member {profile.code} is already registered", member=profile.code)
        if public_key is None:
            public_key = self.keys.generate(profile.code)
        account = self.keys.address_of(public_key)
        tx_hash = self.ledger.register_application(
            profile.code, profile.name_zh, public_key, account, profile.roles
        )
        member = Member(
            profile=profile,
            status=MemberStatus.APPLIED,
            public_key=public_key.hex(),
            account=account,
            updated_at=self.clock(),
            last_tx_hash=tx_hash,
        )
        self.index.save(member)
        self._record(member.code, "apply", None, MemberStatus.APPLIED, actor, "", tx_hash)
        return member

    def approve(self, code: str, actor: str, reason: str = "") -> tuple[Member, IssuedCredentials]:
        member = self._transition(code, Action.APPROVE, actor, reason)
        return member, self.credentials.issue(member)

    def suspend(self, code: str, actor: str, reason: str) -> Member:
        member = self._transition(code, Action.SUSPEND, actor, reason)
        self.credentials.revoke_tokens(code)
        return member

    def reinstate(self, code: str, actor: str, reason: str = "") -> Member:
        return self._transition(code, Action.REINSTATE, actor, reason)

    def revoke(self, code: str, actor: str, reason: str) -> Member:
        member = self._transition(code, Action.REVOKE, actor, reason)
        self.credentials.withdraw(code)
        return member

    def rotate_key(self, code: str, public_key: bytes | None, actor: str) -> Member:
        """Bind a new key on chain; the old one stops acting for the member at once."""
        member = self.get(code)
        if member.status is MemberStatus.REVOKED:
            raise IllegalTransition(
                "cannot rotate the key of a revoked member", action="rotate_key", status="revoked"
            )
        if public_key is None:
            public_key = self.keys.generate(code)
        account = self.keys.address_of(public_key)
        tx_hash = self.ledger.rotate_key(code, public_key, account)
        rotated = dataclasses.replace(
            member,
            public_key=public_key.hex(),
            account=account,
            updated_at=self.clock(),
            last_tx_hash=tx_hash,
            key_history=(*member.key_history, member.public_key),
        )
        self.index.save(rotated)
        self._record(code, "rotate_key", member.status, member.status, actor, "", tx_hash)
        return rotated

    def sync(self) -> SyncReport:
        """Rebuild the index from ``MemberRegistry`` (the chain wins every disagreement)."""
        report = SyncReport()
        for code in self.ledger.codes():
            on_chain = self.ledger.read(code)
            if on_chain is None:
                continue
            current = self.index.get(code)
            profile = (
                current.profile
                if current is not None
                else MemberProfile(
                    code=code,
                    name_zh=on_chain.name,
                    name_en="",
                    credit_code="",
                    roles=on_chain.roles,
                )
            )
            profile = dataclasses.replace(profile, name_zh=on_chain.name, roles=on_chain.roles)
            synced = Member(
                profile=profile,
                status=on_chain.status,
                public_key=on_chain.public_key.hex(),
                account=on_chain.account,
                updated_at=datetime.fromtimestamp(on_chain.updated_at / 1000, UTC),
                last_tx_hash=current.last_tx_hash if current else None,
                key_history=current.key_history if current else (),
            )
            if current is None:
                report.added.append(code)
            elif (current.profile, current.status, current.public_key, current.account) != (
                synced.profile,
                synced.status,
                synced.public_key,
                synced.account,
            ):
                report.updated.append(code)
            else:
                report.unchanged.append(code)
                continue
            self.index.save(synced)
        return report

    # -- internals -----------------------------------------------------------------------

    def _transition(self, code: str, action: Action, actor: str, reason: str) -> Member:
        member = self.get(code)
        target = next_status(action, member.status)
        tx_hash = self.ledger.transition(code, action.value, reason)
        changed = dataclasses.replace(
            member, status=target, updated_at=self.clock(), last_tx_hash=tx_hash
        )
        self.index.save(changed)
        self._record(code, action.value, member.status, target, actor, reason, tx_hash)
        return changed

    def _record(
        self,
        code: str,
        action: str,
        before: MemberStatus | None,
        after: MemberStatus,
        actor: str,
        reason: str,
        tx_hash: str | None,
    ) -> None:
        self.index.add_event(
            MemberEvent(
                code=code,
                action=action,
                from_status=before.value if before else None,
                to_status=after.value,
                actor=actor,
                reason=reason,
                tx_hash=tx_hash,
                at=self.clock(),
            )
        )
