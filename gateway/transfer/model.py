"""The four conditions of a property transfer, who attests each, and the attestation digest.

An attestation is the department's statement "condition C of case K is (not) met, on the
evidence E", where E is the SM3 digest of the brokered query's receipt facts. The digest the
department signs with its SM2 member key (GB/T 32918, default user id) is the SM3 digest
(GB/T 32905) of the RFC 8785 canonical JSON of that statement, so anyone can recompute it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from gateway.crypto.canonical import message_digest

ATTESTATION_TYPE = "alliance.transfer.attestation.v1"
EVIDENCE_TYPE = "alliance.transfer.evidence.v1"
MATTER = "不动产转移登记"


class Condition(enum.Enum):
    """Chain value, attesting member, the catalogue entry that supplies it, Chinese label."""

    TAX_PAID = ("tax_paid", 1, "TAX", "TAX-DEED", "契税已完税")
    NO_SEIZURE = ("no_seizure", 2, "COURT", "COURT-SEIZURE", "无司法查封")
    MARRIAGE_STATUS = ("marriage_status", 3, "CIV", "CIV-MARRIAGE", "婚姻状况已核实")
    CONTRACT_FILED = ("contract_filed", 4, "HUD", "HUD-CONTRACT", "购房合同已网签备案")

    def __init__(self, name: str, chain_value: int, member: str, entry_id: str, label: str):
        self.key = name
        self.chain_value = chain_value
        self.member = member
        self.entry_id = entry_id
        self.label = label

    @classmethod
    def parse(cls, key: str) -> Condition:
        for condition in cls:
            if condition.key == key:
                return condition
        raise ValueError(f"unknown condition {key!r}")

    @classmethod
    def keys(cls) -> list[str]:
        return [condition.key for condition in cls]


REGISTRAR = "NRD"


class CaseStatus(enum.Enum):
    PENDING = "pending"
    COMPLETED = "completed"

    @classmethod
    def from_chain(cls, value: int) -> CaseStatus:
        return cls.COMPLETED if value == 2 else cls.PENDING


@dataclass(frozen=True)
class CaseOpening:
    """What the registrar enters; only digests of the personal fields go on chain."""

    case_id: str
    unit_number: str
    title_number: str
    seller_id: str
    buyer_id: str
    price: int
    contract_number: str
    deadline_ms: int


@dataclass(frozen=True)
class Evidence:
    """A brokered query behind an attestation and what it showed."""

    request_id: str
    entry_id: str
    http_status: int
    response_digest: str
    satisfied: bool
    finding: str

    @property
    def evidence_hash(self) -> str:
        return "0x" + message_digest(self.document()).hex()

    def document(self) -> dict[str, Any]:
        return {
            "type": EVIDENCE_TYPE,
            "request_id": self.request_id,
            "entry_id": self.entry_id,
            "http_status": self.http_status,
            "response_digest": self.response_digest,
        }


def attestation_document(
    case_id: str, condition: Condition, satisfied: bool, evidence_hash: str
) -> dict[str, Any]:
    return {
        "type": ATTESTATION_TYPE,
        "case_id": case_id,
        "condition": condition.key,
        "member": condition.member,
        "satisfied": satisfied,
        "evidence_hash": evidence_hash,
    }


def attestation_digest(
    case_id: str, condition: Condition, satisfied: bool, evidence_hash: str
) -> bytes:
    return message_digest(attestation_document(case_id, condition, satisfied, evidence_hash))
