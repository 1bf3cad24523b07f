"""``MemberRegistry`` on chain as the membership service's ledger port."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gateway.chain.contract import Contract
from gateway.chain.errors import CallReverted, ChainError, TxReverted
from gateway.chain.suite import PrivateKey
from gateway.errors import ServiceUnavailable
from gateway.onchain.runtime import ChainNotReady, ChainRuntime
from members.errors import LedgerRefused
from members.model import MemberStatus, Role
from members.ports import LedgerMember

_ACTIONS = {"approve", "suspend", "reinstate", "revoke"}


def code_to_bytes32(code: str) -> bytes:
    return code.encode("ascii").ljust(32, b"\0")


def bytes32_to_code(value: bytes) -> str:
    return value.rstrip(b"\0").decode("ascii")


class ChainMemberLedger:
    """Writes are signed by the office's governance key; reads are plain calls."""

    def __init__(self, contract: Contract, governance_key: PrivateKey) -> None:
        self.contract = contract
        self.key = governance_key

    def _send(self, function: str, *args: object) -> str:
        try:
            receipt = self.contract.transact(function, *args, key=self.key)
        except TxReverted as exc:
            raise LedgerRefused(exc.reason or exc.status_name, status=exc.status) from exc
        except ChainError as exc:
            raise ServiceUnavailable(f"the chain did not accept the change: {exc}") from exc
        return receipt.transaction_hash

    def register_application(
        self, code: str, name: str, public_key: bytes, account: str, roles: Role
    ) -> str:
        return self._send(
            "registerApplication", code_to_bytes32(code), name, public_key, account, int(roles)
        )

    def transition(self, code: str, action: str, reason: str) -> str:
        if action not in _ACTIONS:
            raise ValueError(f"unknown member action {action!r}")
        return self._send(action, code_to_bytes32(code), reason)

    def rotate_key(self, code: str, public_key: bytes, account: str) -> str:
        return self._send("rotateKey", code_to_bytes32(code), public_key, account)

    def read(self, code: str) -> LedgerMember | None:
        try:
            if self.contract.call("statusOf", code_to_bytes32(code)) == 0:
                return None
            name, public_key, account, roles, status, updated_at = self.contract.call(
                "getMember", code_to_bytes32(code)
            )
        except CallReverted as exc:
            raise LedgerRefused(exc.reason or exc.status_name) from exc
        except ChainError as exc:
            raise ServiceUnavailable(f"the chain could not be read: {exc}") from exc
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
        try:
            count = int(self.contract.call("memberCount"))
            return [
                bytes32_to_code(self.contract.call("memberCodeAt", index)) for index in range(count)
            ]
        except ChainError as exc:
            raise ServiceUnavailable(f"the chain could not be read: {exc}") from exc


class LazyChainMemberLedger:
    """Opens the chain on the first ledger operation, so building the service connects nothing."""

    def __init__(self, runtime: Callable[[], ChainRuntime]) -> None:
        self._runtime = runtime
        self._ledger: ChainMemberLedger | None = None

    def _get(self) -> ChainMemberLedger:
        if self._ledger is None:
            runtime = self._runtime()
            try:
                contract = runtime.contract("MemberRegistry")
                key = runtime.governance_key()
            except ChainNotReady as exc:
                raise ServiceUnavailable(str(exc)) from exc
            self._ledger = ChainMemberLedger(contract, key)
        return self._ledger

    def register_application(
        self, code: str, name: str, public_key: bytes, account: str, roles: Role
    ) -> str:
        return self._get().register_application(code, name, public_key, account, roles)

    def transition(self, code: str, action: str, reason: str) -> str:
        return self._get().transition(code, action, reason)

    def rotate_key(self, code: str, public_key: bytes, account: str) -> str:
        return self._get().rotate_key(code, public_key, account)

    def read(self, code: str) -> LedgerMember | None:
        return self._get().read(code)

    def codes(self) -> Sequence[str]:
        return self._get().codes()
