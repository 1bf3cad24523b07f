"""A case's document, each attestation checked against the chain (on-chain proofs).

An attestation is *verified* when: its transaction's receipt is on chain, successful, in the
recorded block and addressed to the deployed ``TransferCase``; the contract's record carries
the evidence hash and attestation digest recomputed here from the brokered query's facts and
the signature given; the signer is the account of the key ``MemberRegistry`` holds for the
member; and that SM2 signature verifies over the digest with that key (GB/T 32918).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from gateway.crypto.errors import CryptoError
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PublicKey, Sm2Signature
from gateway.transfer.ledger import ChainAttestation, ChainTransferLedger
from gateway.transfer.model import CaseStatus, Condition, Evidence, attestation_digest
from gateway.transfer.store import aware
from gateway.transfer.tables import TransferAttestationRow, TransferCaseRow


def mask_id(value: str) -> str:
    """ID numbers keep their first 6 and last 4 characters (as the broker masks them)."""
    return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:] if len(value) > 10 else "****"


def evidence_of(row: TransferAttestationRow) -> Evidence:
    return Evidence(
        request_id=row.request_id,
        entry_id=row.entry_id,
        http_status=row.http_status,
        response_digest=row.response_digest,
        satisfied=row.satisfied,
        finding=row.finding,
    )


def _iso(value: datetime | None) -> str | None:
    moment = aware(value)
    return moment.isoformat(timespec="seconds") if moment else None


def _ms(value: int) -> str:
    return datetime.fromtimestamp(value / 1000, UTC).isoformat(timespec="seconds")


def summary(row: TransferCaseRow) -> dict[str, Any]:
    return {
        "case_id": row.case_id,
        "unit_number": row.unit_number,
        "title_number": row.title_number,
        "status": row.status,
        "deadline": _ms(row.deadline_ms),
        "opened_at": _iso(row.opened_at),
        "registration_number": row.registration_number,
    }


def _check(
    row: TransferAttestationRow,
    chain: ChainAttestation,
    ledger: ChainTransferLedger,
    public_key: bytes | None,
) -> list[str]:
    problems: list[str] = []
    receipt = ledger.receipt(row.tx_hash or "")
    if receipt is None:
        problems.append("transaction not on chain")
    else:
        if not receipt.ok:
            problems.append("transaction failed")
        if receipt.block_number != row.block_number:
            problems.append("transaction is in another block")
        if (receipt.to_address or "").lower() != ledger.address.lower():
            problems.append("transaction is not to TransferCase")
    condition = Condition.parse(row.condition)
    evidence = evidence_of(row)
    digest = attestation_digest(row.case_id, condition, row.satisfied, evidence.evidence_hash)
    if not chain.present:
        problems.append("no attestation on chain")
        return problems
    if chain.evidence_hash != evidence.evidence_hash:
        problems.append("evidence hash differs from the chain's")
    if chain.digest != "0x" + digest.hex() or row.digest != chain.digest:
        problems.append("attestation digest differs from the chain's")
    if chain.signature != (row.signature or ""):
        problems.append("signature differs from the chain's")
    if chain.revoked != row.revoked:
        problems.append("revocation differs from the chain's")
    if public_key is None:
        problems.append("member has no registered key")
        return problems
    key = Sm2PublicKey.from_bytes(public_key)
    if chain.signer != address_of(key):
        problems.append("signer is not the member's registered account")
    try:
        valid = key.verify(digest, Sm2Signature.from_raw(bytes.fromhex(chain.signature)))
    except (CryptoError, ValueError):
        valid = False
    if not valid:
        problems.append("signature does not verify with the member's registered key")
    return problems


def _attestation(
    case: TransferCaseRow,
    condition: Condition,
    row: TransferAttestationRow | None,
    ledger: ChainTransferLedger,
    registered_key: Callable[[str], bytes | None],
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "condition": condition.key,
        "label": condition.label,
        "member": condition.member,
        "entry_id": condition.entry_id,
        "state": "missing",
        "satisfied": None,
        "finding": None,
        "evidence": None,
        "digest": None,
        "signature": None,
        "proof": None,
        "revoke_reason": None,
    }
    if row is None:
        return item
    evidence = evidence_of(row)
    item.update(
        state="gathered",
        satisfied=row.satisfied,
        finding=row.finding,
        evidence={**evidence.document(), "evidence_hash": evidence.evidence_hash},
        digest=row.digest,
        signature=row.signature,
    )
    if not row.tx_hash:
        return item
    chain = ledger.attestation(case.case_id, condition)
    problems = _check(row, chain, ledger, registered_key(condition.member))
    item.update(
        state="revoked" if row.revoked else "attested",
        revoke_reason=row.revoke_reason,
        proof={
            "tx_hash": row.tx_hash,
            "block_number": row.block_number,
            "signer": chain.signer,
            "attested_at": _ms(chain.attested_at) if chain.attested_at else None,
            "revoke_tx": row.revoke_tx,
            "verified": not problems,
            "problems": problems,
        },
    )
    return item


def case_view(
    case: TransferCaseRow,
    rows: dict[str, TransferAttestationRow],
    ledger: ChainTransferLedger,
    registered_key: Callable[[str], bytes | None],
    *,
    buyer_hash: str,
) -> dict[str, Any]:
    chain = ledger.read_case(case.case_id)
    status = CaseStatus.from_chain(chain.status)
    completed = None
    if status is CaseStatus.COMPLETED:
        completed = {
            "registration_number": chain.registration_number,
            "certificate_hash": chain.certificate_hash,
            "new_owner_hash": chain.new_owner_hash,
            "new_owner": mask_id(case.buyer_id),
            "completed_at": _ms(chain.completed_at),
            "tx_hash": case.complete_tx,
            "block_number": case.complete_block,
        }
    return {
        **summary(case),
        "status": status.value,
        "pending_reason": chain.pending_reason or None,
        "seller": mask_id(case.seller_id),
        "buyer": mask_id(case.buyer_id),
        "buyer_hash": buyer_hash,
        "price": case.price,
        "contract_number": case.contract_number,
        "contract_address": ledger.address,
        "opened": {"tx_hash": case.open_tx, "block_number": case.open_block},
        "completed": completed,
        "attestations": [
            _attestation(case, condition, rows.get(condition.key), ledger, registered_key)
            for condition in Condition
        ],
    }
