"""``TransferCase`` on chain, each write sent from the acting member's own account.

The contract accepts a case only from the registrar's account and an attestation only from
the attesting department's account, so these transactions are signed with the member's key:
one the department hands in (``key=``, e.g. the CLI's ``--key``), or the key the gateway
generated for it at enrolment (``<data_dir>/credentials/<CODE>-sm2.pem``). The node verifies
that SM2 transaction signature; the contract checks the account against ``MemberRegistry``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.chain.contract import Contract
from gateway.chain.errors import CallReverted, ChainError, TxReverted
from gateway.chain.results import Receipt
from gateway.chain.suite import PrivateKey
from gateway.crypto.errors import CryptoError
from gateway.crypto.keyfiles import load_private_key
from gateway.errors import ServiceUnavailable
from gateway.onchain.bound import bytes32_to_text, text_to_bytes32
from gateway.onchain.runtime import ChainNotReady, ChainRuntime
from gateway.transfer.errors import MemberKeyNotHeld, TransferRefused
from gateway.transfer.model import Condition

_PREFIX = "TransferCase: "


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


class FileMemberKeyring:
    """The member keys the gateway generated at enrolment, by member code."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def key_of(self, code: str) -> PrivateKey | None:
        path = self.directory / f"{code}-sm2.pem"
        if not path.is_file():
            return None
        try:
            return load_private_key(path)
        except (OSError, CryptoError) as exc:
            raise MemberKeyNotHeld(f"the key file of {code} cannot be read: {exc}") from exc


@dataclass(frozen=True)
class ChainAttestation:
    member: str
    signer: str
    satisfied: bool
    revoked: bool
    attested_at: int
    evidence_hash: str
    digest: str
    signature: str

    @property
    def present(self) -> bool:
        return self.attested_at != 0


@dataclass(frozen=True)
class ChainCase:
    unit_number: str
    title_hash: str
    seller_hash: str
    buyer_hash: str
    price_hash: str
    deadline: int
    opened_at: int
    status: int
    new_owner_hash: str
    registration_number: str
    certificate_hash: str
    completed_at: int
    pending_reason: str


class ChainTransferLedger:
    def __init__(self, runtime: Callable[[], ChainRuntime], keyring: FileMemberKeyring) -> None:
        self._runtime = runtime
        self.keyring = keyring
        self._lock = threading.Lock()
        self._contract: Contract | None = None

    @property
    def contract(self) -> Contract:
        with self._lock:
            if self._contract is None:
                try:
                    self._contract = self._runtime().contract("TransferCase")
                except ChainNotReady as exc:
                    raise ServiceUnavailable(str(exc)) from exc
            return self._contract

    @property
    def address(self) -> str:
        return self.contract.address

    def _send(self, member: str, key: PrivateKey | None, function: str, *args: Any) -> Receipt:
        signer = key or self.keyring.key_of(member)
        if signer is None:
            raise MemberKeyNotHeld(
                f"the gateway holds no chain key for {member}: send the attestation with the "
                "member's own key (alliance transfer attest --key FILE)",
                member=member,
            )
        try:
            return self.contract.transact(function, *args, key=signer)
        except TxReverted as exc:
            reason = exc.reason or exc.status_name
            raise TransferRefused(reason, reason=reason.removeprefix(_PREFIX)) from exc
        except ChainError as exc:
            raise ServiceUnavailable(f"the chain did not accept the change: {exc}") from exc

    def _call(self, function: str, *args: Any) -> Any:
        try:
            return self.contract.call(function, *args)
        except CallReverted as exc:
            reason = exc.reason or exc.status_name
            raise TransferRefused(reason, reason=reason.removeprefix(_PREFIX)) from exc
        except ChainError as exc:
            raise ServiceUnavailable(f"the chain could not be read: {exc}") from exc

    def open_case(
        self, registrar: str, case_id: str, unit_number: str, digests: list[bytes], deadline: int
    ) -> Receipt:
        return self._send(
            registrar,
            None,
            "openCase",
            text_to_bytes32(case_id),
            text_to_bytes32(unit_number),
            *digests,
            deadline,
        )

    def attest(
        self,
        case_id: str,
        condition: Condition,
        satisfied: bool,
        evidence_hash: str,
        digest: bytes,
        signature: bytes,
        key: PrivateKey | None,
    ) -> Receipt:
        return self._send(
            condition.member,
            key,
            "attest",
            text_to_bytes32(case_id),
            condition.chain_value,
            satisfied,
            bytes.fromhex(evidence_hash.removeprefix("0x")),
            digest,
            signature,
        )

    def revoke(
        self, case_id: str, condition: Condition, reason: str, key: PrivateKey | None
    ) -> Receipt:
        return self._send(
            condition.member,
            key,
            "revokeAttestation",
            text_to_bytes32(case_id),
            condition.chain_value,
            reason,
        )

    def complete(
        self,
        registrar: str,
        case_id: str,
        new_owner_hash: bytes,
        registration_number: str,
        certificate_hash: bytes,
    ) -> Receipt:
        return self._send(
            registrar,
            None,
            "complete",
            text_to_bytes32(case_id),
            new_owner_hash,
            text_to_bytes32(registration_number),
            certificate_hash,
        )

    def exists(self, case_id: str) -> bool:
        return int(self._call("statusOf", text_to_bytes32(case_id))) != 0

    def read_case(self, case_id: str) -> ChainCase:
        key = text_to_bytes32(case_id)
        unit, title, seller, buyer, price, deadline, opened, status = self._call("getCase", key)
        owner, number, certificate, completed = self._call("getOutcome", key)
        return ChainCase(
            unit_number=bytes32_to_text(unit),
            title_hash=_hex(title),
            seller_hash=_hex(seller),
            buyer_hash=_hex(buyer),
            price_hash=_hex(price),
            deadline=int(deadline),
            opened_at=int(opened),
            status=int(status),
            new_owner_hash=_hex(owner),
            registration_number=bytes32_to_text(number),
            certificate_hash=_hex(certificate),
            completed_at=int(completed),
            pending_reason=str(self._call("pendingReason", key)),
        )

    def attestation(self, case_id: str, condition: Condition) -> ChainAttestation:
        member, signer, satisfied, revoked, at, evidence, digest, signature = self._call(
            "getAttestation", text_to_bytes32(case_id), condition.chain_value
        )
        return ChainAttestation(
            member=bytes32_to_text(member),
            signer=str(signer).lower(),
            satisfied=bool(satisfied),
            revoked=bool(revoked),
            attested_at=int(at),
            evidence_hash=_hex(evidence),
            digest=_hex(digest),
            signature=bytes(signature).hex(),
        )

    def receipt(self, tx_hash: str) -> Receipt | None:
        try:
            return self._runtime().client.get_receipt(tx_hash)
        except (ChainError, ChainNotReady) as exc:
            raise ServiceUnavailable(f"the chain could not be read: {exc}") from exc

    def now_ms(self) -> int:
        """The latest block's timestamp: deadlines are compared with the chain's clock."""
        try:
            client = self._runtime().client
            seconds = client.block_timestamp(client.block_number())
        except (ChainError, ChainNotReady) as exc:
            raise ServiceUnavailable(f"the chain could not be read: {exc}") from exc
        return round(seconds * 1000) if seconds is not None else 0
