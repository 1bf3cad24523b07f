"""``MemberRegistry`` on chain as the membership service's ledger port."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.members.model import MemberStatus, Role
from gateway.members.ports import LedgerMember
from gateway.onchain.bound import BoundContract, bytes32_to_text, text_to_bytes32

_ACTIONS = {"approve", "suspend", "reinstate", "revoke"}


class ChainMemberLedger:
    """Writes are signed by the office's governance key; reads are plain calls."""

    def __init__(self, registry: BoundContract) -> None:
        self.registry = registry

    def register_application(
        self, code: str, name: str, public_key: bytes, account: str, roles: Role
    ) -> str:
        return self.registry.transact(
            "registerApplication", text_to_bytes32(code), name, public_key, account, int(roles)
        )

    def transition(self, code: str, action: str, reason: str) -> str:
        if action not in _ACTIONS:
            raise ValueError(f"unknown member action {action!r}")
        return self.registry.transact(action, text_to_bytes32(code), reason)

    def rotate_key(self, code: str, public_key: bytes, account: str) -> str:
        return self.registry.transact("rotateKey", text_to_bytes32(code), public_key, account)

    def read(self, code: str) -> LedgerMember | None:
        key = text_to_bytes32(code)
        if self.registry.call("statusOf", key) == 0:
            return None
        name, public_key, account, roles, status, updated_at = self.registry.call("getMember", key)
        return LedgerMember(
            code=code,
            name=name,
            public_key=bytes(public_key),
            account=account.lower(),
            roles=Role(roles),
            status=MemberStatus.from_chain(status),
            updated_at=int(updated_at),
        )

    def codes(self) -> Sequence[str]:
        count = int(self.registry.call("memberCount"))
        return [bytes32_to_text(self.registry.call("memberCodeAt", i)) for i in range(count)]
