"""Transfer cases: open, gather evidence, attest, revoke, complete, and read with proofs.

The chain decides: ``TransferCase`` refuses an attestation from any account but the
department's own and completes a case only while all four attestations stand. This service
adds what a contract cannot do: it gathers the evidence through the broker, verifies the
department's SM2 signature over the attestation digest (GB/T 32918) against the public key
``MemberRegistry`` holds, and keeps the personal fields off chain (only keyed HMAC-SM3 digests
of title, parties and price are written).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.chain.suite import PrivateKey
from gateway.crypto.errors import CryptoError
from gateway.crypto.hashing import hmac_sm3
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey, Sm2Signature
from gateway.transfer.errors import (
    EvidenceMissing,
    InvalidTransfer,
    NotAttester,
    NotRegistrar,
    SignatureInvalid,
    TransferNotFound,
    TransferPending,
)
from gateway.transfer.gathering import Broker, gather
from gateway.transfer.ledger import ChainTransferLedger
from gateway.transfer.model import REGISTRAR, CaseOpening, Condition, attestation_digest
from gateway.transfer.proofs import case_view
from gateway.transfer.store import SqlTransferStore
from gateway.transfer.tables import TransferAttestationRow, TransferCaseRow

_CASE_ID = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
_ASCII32 = re.compile(r"^[\x21-\x7e]{1,32}$")
_HASH = re.compile(r"^0x[0-9a-f]{64}$")
MAX_DEADLINE_DAYS = 3650


@dataclass(frozen=True)
class Actor:
    member: str
    label: str


class TransferService:
    def __init__(
        self,
        *,
        store: SqlTransferStore,
        ledger: ChainTransferLedger,
        broker: Callable[[], Broker],
        registered_key: Callable[[str], bytes | None],
        personal_key: Callable[[], bytes],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.ledger = ledger
        self._broker = broker
        self._registered_key = registered_key
        self._personal_key = personal_key
        self.clock = clock

    # -- digests of personal fields -------------------------------------------------------

    def _digest(self, label: str, value: str) -> bytes:
        return hmac_sm3(self._personal_key(), f"alliance.transfer.{label}:{value}".encode())

    # -- the registrar --------------------------------------------------------------------

    def open(self, actor: Actor, opening: CaseOpening) -> dict[str, Any]:
        if actor.member != REGISTRAR:
            raise NotRegistrar(f"only {REGISTRAR} opens transfer cases", member=actor.member)
        _check_opening(opening, self.clock())
        if self.store.case(opening.case_id) is not None or self.ledger.exists(opening.case_id):
            from gateway.transfer.errors import TransferExists

            raise TransferExists(f"case {opening.case_id} exists", case_id=opening.case_id)
        receipt = self.ledger.open_case(
            REGISTRAR,
            opening.case_id,
            opening.unit_number,
            [
                self._digest("title", opening.title_number),
                self._digest("party", opening.seller_id),
                self._digest("party", opening.buyer_id),
                self._digest("price", str(opening.price)),
            ],
            opening.deadline_ms,
        )
        self.store.add_case(
            TransferCaseRow(
                case_id=opening.case_id,
                unit_number=opening.unit_number,
                title_number=opening.title_number,
                seller_id=opening.seller_id,
                buyer_id=opening.buyer_id,
                price=opening.price,
                contract_number=opening.contract_number,
                deadline_ms=opening.deadline_ms,
                status="pending",
                opened_by=actor.label,
                opened_at=self.clock(),
                open_tx=receipt.transaction_hash,
                open_block=receipt.block_number,
            )
        )
        return self.status(opening.case_id)

    def complete(
        self, actor: Actor, case_id: str, registration_number: str, certificate_hash: str
    ) -> dict[str, Any]:
        if actor.member != REGISTRAR:
            raise NotRegistrar(f"only {REGISTRAR} completes transfers", member=actor.member)
        case = self._case(case_id)
        if not _ASCII32.match(registration_number):
            raise InvalidTransfer(
                "registration_number: 1 to 32 printable ASCII characters",
                field="registration_number",
            )
        if not _HASH.match(certificate_hash):
            raise InvalidTransfer(
                "certificate_hash: 0x and 64 lowercase hex digits", field="certificate_hash"
            )
        reason = self.ledger.read_case(case_id).pending_reason
        if reason:
            raise TransferPending(f"the transfer cannot complete: {reason}", reason=reason)
        receipt = self.ledger.complete(
            REGISTRAR,
            case_id,
            self._digest("party", case.buyer_id),
            registration_number,
            bytes.fromhex(certificate_hash[2:]),
        )
        self.store.update_case(
            case_id,
            status="completed",
            registration_number=registration_number,
            certificate_hash=certificate_hash,
            complete_tx=receipt.transaction_hash,
            complete_block=receipt.block_number,
            completed_at=self.clock(),
        )
        return self.status(case_id)

    # -- the departments ------------------------------------------------------------------

    def gather(self, actor: Actor, case_id: str, condition: Condition) -> dict[str, Any]:
        """Run the condition's brokered query; returns the evidence and the digest to sign."""
        if actor.member not in (condition.member, REGISTRAR):
            raise NotAttester(
                f"only {condition.member} or the registrar gathers {condition.key}",
                member=actor.member,
            )
        case = self._case(case_id)
        existing = self.store.attestations(case_id).get(condition.key)
        if existing is not None and existing.tx_hash and not existing.revoked:
            return self._draft(case_id, condition, existing)
        evidence = gather(self._broker(), case, condition)
        row = TransferAttestationRow(
            case_id=case_id,
            condition=condition.key,
            member=condition.member,
            request_id=evidence.request_id,
            entry_id=evidence.entry_id,
            http_status=evidence.http_status,
            response_digest=evidence.response_digest,
            satisfied=evidence.satisfied,
            finding=evidence.finding,
            gathered_at=self.clock(),
            revoked=False,
        )
        self.store.save_attestation(row)
        return self._draft(case_id, condition, row)

    def _draft(
        self, case_id: str, condition: Condition, row: TransferAttestationRow
    ) -> dict[str, Any]:
        from gateway.transfer.proofs import evidence_of

        evidence = evidence_of(row)
        digest = attestation_digest(case_id, condition, row.satisfied, evidence.evidence_hash)
        return {
            "case_id": case_id,
            "condition": condition.key,
            "member": condition.member,
            "satisfied": row.satisfied,
            "finding": row.finding,
            "evidence": {**evidence.document(), "evidence_hash": evidence.evidence_hash},
            "digest": "0x" + digest.hex(),
        }

    def attest(
        self,
        actor: Actor,
        case_id: str,
        condition: Condition,
        *,
        signature: bytes | None = None,
        key: PrivateKey | None = None,
    ) -> dict[str, Any]:
        """Record the department's signed attestation on chain, from its own account.

        ``signature`` is the department's SM2 signature (r ‖ s) over the digest that
        :meth:`gather` returned; with ``key`` instead, the department's key signs it here.
        """
        if actor.member != condition.member:
            raise NotAttester(
                f"only {condition.member} attests {condition.key}", member=actor.member
            )
        self._case(case_id)
        row = self.store.attestations(case_id).get(condition.key)
        if row is None or (row.tx_hash and row.revoked):
            if row is None:
                raise EvidenceMissing(
                    f"gather the evidence of {condition.key} first", condition=condition.key
                )
            row = self._regather(actor, case_id, condition)
        draft = self._draft(case_id, condition, row)
        digest = bytes.fromhex(draft["digest"][2:])
        if signature is None:
            if not isinstance(key, Sm2PrivateKey):
                raise InvalidTransfer(
                    "signature: required (64 bytes r || s, hex)", field="signature"
                )
            signature = key.sign(digest).to_raw()
        self._verify_signature(condition.member, digest, signature)
        receipt = self.ledger.attest(
            case_id,
            condition,
            row.satisfied,
            draft["evidence"]["evidence_hash"],
            digest,
            signature,
            key,
        )
        row.digest = draft["digest"]
        row.signature = signature.hex()
        row.tx_hash = receipt.transaction_hash
        row.block_number = receipt.block_number
        row.attested_at = self.clock()
        row.revoked = False
        row.revoke_tx = None
        row.revoke_reason = None
        self.store.save_attestation(row)
        return self.status(case_id)

    def _regather(self, actor: Actor, case_id: str, condition: Condition) -> TransferAttestationRow:
        self.gather(actor, case_id, condition)
        row = self.store.attestations(case_id)[condition.key]
        return row

    def revoke(
        self,
        actor: Actor,
        case_id: str,
        condition: Condition,
        reason: str,
        key: PrivateKey | None = None,
    ) -> dict[str, Any]:
        if actor.member != condition.member:
            raise NotAttester(
                f"only {condition.member} revokes {condition.key}", member=actor.member
            )
        self._case(case_id)
        if not reason.strip():
            raise InvalidTransfer("reason: required", field="reason")
        receipt = self.ledger.revoke(case_id, condition, reason, key)
        row = self.store.attestations(case_id).get(condition.key)
        if row is not None:
            row.revoked = True
            row.revoke_tx = receipt.transaction_hash
            row.revoke_reason = reason
            self.store.save_attestation(row)
        return self.status(case_id)

    def _verify_signature(self, member: str, digest: bytes, signature: bytes) -> None:
        public = self._registered_key(member)
        if public is None:
            raise SignatureInvalid(f"{member} has no registered key", member=member)
        try:
            valid = Sm2PublicKey.from_bytes(public).verify(digest, Sm2Signature.from_raw(signature))
        except (CryptoError, ValueError):
            valid = False
        if not valid:
            raise SignatureInvalid(
                f"the signature is not {member}'s over the attestation digest", member=member
            )

    # -- reading --------------------------------------------------------------------------

    def _case(self, case_id: str) -> TransferCaseRow:
        case = self.store.case(case_id)
        if case is None:
            raise TransferNotFound(f"no transfer case {case_id}", case_id=case_id)
        return case

    def status(self, case_id: str) -> dict[str, Any]:
        """The case as the chain holds it, each attestation checked against the chain."""
        case = self._case(case_id)
        return case_view(
            case,
            self.store.attestations(case_id),
            self.ledger,
            self._registered_key,
            buyer_hash="0x" + self._digest("party", case.buyer_id).hex(),
        )

    def cases(self, limit: int = 100) -> list[dict[str, Any]]:
        from gateway.transfer.proofs import summary

        return [summary(row) for row in self.store.cases(limit)]


def _check_opening(opening: CaseOpening, now: datetime) -> None:
    problems = []
    if not _CASE_ID.match(opening.case_id):
        problems.append("case_id: 1 to 32 of A-Z a-z 0-9 . _ -")
    if not re.fullmatch(r"[0-9A-Z]{19,28}", opening.unit_number):
        problems.append("unit_number: a 28-character 不动产单元号")
    for name in ("title_number", "seller_id", "buyer_id", "contract_number"):
        if not str(getattr(opening, name)).strip():
            problems.append(f"{name}: required")
    if opening.seller_id and opening.seller_id == opening.buyer_id:
        problems.append("buyer_id: the buyer is not the seller")
    if opening.price <= 0:
        problems.append("price: a positive amount in yuan")
    now_ms = int(now.timestamp() * 1000)
    if opening.deadline_ms <= now_ms:
        problems.append("deadline: must be in the future")
    elif opening.deadline_ms > now_ms + MAX_DEADLINE_DAYS * 86_400_000:
        problems.append(f"deadline: at most {MAX_DEADLINE_DAYS} days ahead")
    if problems:
        raise InvalidTransfer("the case does not fit: " + "; ".join(problems), problems=problems)
