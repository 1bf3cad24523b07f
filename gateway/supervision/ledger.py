"""The ``Supervision`` contract as the supervision service's ledger port.

Each transition is a transaction signed by the acting account itself: a case opened by rule
or marked overdue by the gateway's monitor account (the governance key, authorised by
``alliance init``), every other step by the acting member's own SM2 key, so the contract
checks that member against ``MemberRegistry``. The gateway holds the keys it generated for
departments that brought none (``<data_dir>/credentials/<CODE>-sm2.pem``); for a member
whose key it does not hold it signs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.chain.contract import Contract
from gateway.chain.errors import CallReverted, ChainError, TxReverted
from gateway.chain.suite import PrivateKey
from gateway.crypto.errors import CryptoError
from gateway.crypto.keyfiles import load_private_key
from gateway.errors import ServiceUnavailable
from gateway.onchain.bound import bytes32_to_text, hash_to_bytes32, text_to_bytes32
from gateway.onchain.runtime import ChainNotReady, ChainRuntime
from gateway.supervision.errors import MemberKeyUnavailable, TransitionRefused

MONITOR = "GATEWAY"
"""How a transition by the gateway's monitor account (no member code) is shown."""


@dataclass(frozen=True)
class Sent:
    tx_hash: str
    block_number: int
    at_ms: int
    actor: str
    account: str


@dataclass(frozen=True)
class ChainTransition:
    from_status: int
    to_status: int
    actor: str
    account: str
    at_ms: int
    detail_hash: str


class FileMemberSigners:
    """Members' SM2 keys the gateway keeps for them: ``<dir>/<CODE>-sm2.pem``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def key_for(self, code: str) -> PrivateKey:
        path = self.directory / f"{code}-sm2.pem"
        try:
            return load_private_key(path)
        except (OSError, CryptoError) as exc:
            raise MemberKeyUnavailable(
                f"the gateway holds no signing key for {code}; {code} signs with its own key",
                member=code,
            ) from exc


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


class ChainSupervisionLedger:
    def __init__(
        self,
        runtime: Callable[[], ChainRuntime],
        signers: FileMemberSigners,
    ) -> None:
        self._runtime = runtime
        self.signers = signers

    def _contract(self) -> Contract:
        try:
            return self._runtime().contract("Supervision")
        except ChainNotReady as exc:
            raise ServiceUnavailable(str(exc)) from exc

    def _monitor_key(self) -> PrivateKey:
        try:
            return self._runtime().governance_key()
        except ChainNotReady as exc:
            raise ServiceUnavailable(str(exc)) from exc

    def _send(self, function: str, key: PrivateKey, *args: Any) -> Sent:
        contract = self._contract()
        try:
            receipt = contract.transact(function, *args, key=key)
        except TxReverted as exc:
            raise TransitionRefused(exc.reason or exc.status_name, reason=exc.reason) from exc
        except ChainError as exc:
            raise ServiceUnavailable(f"the chain did not accept the change: {exc}") from exc
        moved = [e for e in contract.decode_logs(receipt) if e.name == "CaseTransition"]
        if len(moved) != 1:
            raise ServiceUnavailable(f"{function} emitted no CaseTransition event")
        args_ = moved[0].args
        actor = bytes32_to_text(args_["actor"]) or MONITOR
        return Sent(
            receipt.transaction_hash,
            receipt.block_number,
            int(args_["at"]),
            actor,
            str(args_["account"]).lower(),
        )

    def open_by_rule(self, case_id: str, rule_id: str, department: str, evidence: str) -> Sent:
        return self._send(
            "openByRule",
            self._monitor_key(),
            hash_to_bytes32(case_id),
            text_to_bytes32(rule_id),
            text_to_bytes32(department),
            hash_to_bytes32(evidence),
        )

    def open_by_hand(
        self, office: str, case_id: str, rule_id: str, department: str, evidence: str
    ) -> Sent:
        return self._send(
            "openByHand",
            self.signers.key_for(office),
            hash_to_bytes32(case_id),
            text_to_bytes32(rule_id),
            text_to_bytes32(department),
            hash_to_bytes32(evidence),
        )

    def order(self, office: str, case_id: str, due_ms: int, detail: str) -> Sent:
        return self._send(
            "order",
            self.signers.key_for(office),
            hash_to_bytes32(case_id),
            due_ms,
            hash_to_bytes32(detail),
        )

    def step(self, function: str, actor: str | None, case_id: str, detail: str) -> Sent:
        """A step without arguments but the detail hash, signed by ``actor`` (None: the
        gateway's monitor account)."""
        key = self._monitor_key() if actor is None else self.signers.key_for(actor)
        return self._send(function, key, hash_to_bytes32(case_id), hash_to_bytes32(detail))

    # -- reads ------------------------------------------------------------------------------

    def _call(self, function: str, *args: Any) -> Any:
        contract = self._contract()
        try:
            return contract.call(function, *args)
        except CallReverted as exc:
            raise TransitionRefused(exc.reason or exc.status_name, reason=exc.reason) from exc
        except ChainError as exc:
            raise ServiceUnavailable(f"the chain could not be read: {exc}") from exc

    def status_of(self, case_id: str) -> int:
        return int(self._call("statusOf", hash_to_bytes32(case_id)))

    def read_case(self, case_id: str) -> dict[str, Any]:
        key = hash_to_bytes32(case_id)
        rule, department, evidence, source, status = self._call("getCase", key)
        opened, due, _updated, count = self._call("caseTimes", key)
        return {
            "rule_id": bytes32_to_text(rule),
            "department": bytes32_to_text(department),
            "evidence_hash": _hex(evidence),
            "source": int(source),
            "status": int(status),
            "opened_at_ms": int(opened),
            "due_at_ms": int(due),
            "transition_count": int(count),
        }

    def transitions(self, case_id: str) -> list[ChainTransition]:
        key = hash_to_bytes32(case_id)
        count = int(self._call("caseTimes", key)[3])
        found = []
        for index in range(count):
            start, end, actor, account, at, detail = self._call("getTransition", key, index)
            found.append(
                ChainTransition(
                    int(start),
                    int(end),
                    bytes32_to_text(actor) or MONITOR,
                    str(account).lower(),
                    int(at),
                    _hex(detail),
                )
            )
        return found

    def receipt_event(self, tx_hash: str) -> dict[str, Any] | None:
        """The CaseTransition event of a transaction's receipt, read back from the node."""
        runtime = self._runtime()
        try:
            receipt = runtime.client.get_receipt(tx_hash)
        except ChainError as exc:
            raise ServiceUnavailable(f"the chain could not be read: {exc}") from exc
        if receipt is None or not receipt.ok:
            return None
        for event in self._contract().decode_logs(receipt):
            if event.name == "CaseTransition":
                return {**event.args, "block_number": receipt.block_number}
        return None
