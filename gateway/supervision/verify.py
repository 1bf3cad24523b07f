"""A case checked against the chain, end to end.

The case on ``Supervision`` must name the same rule, department and evidence hash; the
evidence references must hash (SM3, RFC 8785) to that evidence hash and their Merkle roots
must be anchored on ``EvidenceLedger``; and every transition in the index must be the
contract's transition at the same position (statuses, actor, account, chain time, detail
hash), its detail must hash to that detail hash, and its transaction's receipt must carry the
same ``CaseTransition`` event in the recorded block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.supervision.ledger import ChainSupervisionLedger
from gateway.supervision.model import Case, CaseStatus
from gateway.supervision.service import chain_time, digest_hex, evidence_hash_of


@dataclass
class StepCheck:
    index: int
    tx_hash: str
    block_number: int
    ok: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class CaseVerification:
    case_id: str
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    steps: list[StepCheck] = field(default_factory=list)
    roots_on_chain: int = 0

    def fail(self, problem: str) -> None:
        self.ok = False
        self.problems.append(problem)


def _transaction_problems(ledger: ChainSupervisionLedger, step: Any, case_id: str) -> list[str]:
    event = ledger.receipt_event(step.tx_hash) if step.tx_hash else None
    if event is None:
        return ["the transaction has no CaseTransition event on chain"]
    problems = []
    expected = {
        "caseId": bytes.fromhex(case_id[2:]),
        "toStatus": step.to_status.chain_value,
        "detailHash": bytes.fromhex(step.detail_hash[2:]),
    }
    for key, value in expected.items():
        actual = bytes(event[key]) if isinstance(value, bytes) else event[key]
        if actual != value:
            problems.append(f"the transaction's event differs in {key}")
    if event["block_number"] != step.block_number:
        problems.append(f"the transaction is in block {event['block_number']}")
    return problems


def verify_case(
    case: Case, ledger: ChainSupervisionLedger, root_on_chain: Callable[[str], bool]
) -> CaseVerification:
    result = CaseVerification(case.case_id)
    chain_case = ledger.read_case(case.case_id)
    for key in ("rule_id", "department", "evidence_hash"):
        if chain_case[key] != getattr(case, key):
            result.fail(f"{key} on chain is {chain_case[key]}")
    if evidence_hash_of(case.evidence) != case.evidence_hash:
        result.fail("the evidence references do not hash to the evidence hash")
    if CaseStatus.from_chain(chain_case["status"]) is not case.status:
        result.fail(f"the chain holds status {CaseStatus.from_chain(chain_case['status']).value}")
    for root in case.evidence.get("roots", []):
        if root_on_chain(root):
            result.roots_on_chain += 1
        else:
            result.fail(f"evidence root {root} is not anchored on chain")
    on_chain = ledger.transitions(case.case_id)
    if len(on_chain) != len(case.transitions):
        result.fail(
            f"the chain holds {len(on_chain)} transitions, the index {len(case.transitions)}"
        )
    for step, chained in zip(case.transitions, on_chain, strict=False):
        check = StepCheck(step.index, step.tx_hash, step.block_number, True)
        expected_from = step.from_status.chain_value if step.from_status else 0
        if (chained.from_status, chained.to_status) != (expected_from, step.to_status.chain_value):
            check.problems.append("the statuses differ from the chain's")
        if (chained.actor, chained.account) != (step.actor, step.account):
            check.problems.append(f"the chain names {chained.actor} ({chained.account})")
        if chain_time(chained.at_ms) != step.at:
            check.problems.append("the time differs from the chain's")
        detail_hash = case.evidence_hash if step.index == 0 else digest_hex(step.detail)
        if chained.detail_hash != step.detail_hash or detail_hash != step.detail_hash:
            check.problems.append("the detail does not hash to the chain's detail hash")
        check.problems.extend(_transaction_problems(ledger, step, case.case_id))
        check.ok = not check.problems
        if not check.ok:
            result.fail(f"transition {step.index}: {'; '.join(check.problems)}")
        result.steps.append(check)
    return result
