"""Verifying a record's anchor on whichever chain anchored it, or through the handover record.

For a record with sequence ``s`` the chain history names the period (and chain) that anchored
it. If that chain answers, its ``EvidenceLedger`` is read for the batch root, as for any
anchor. If it does not (the alliance left the vendor and the nodes are gone), the record is
proved through the handover that closed the period instead:

- ``handover_signatures``: the gateway and a quorum of member keys (as registered) signed it;
- ``handover_on_chain``: its digest is a ``RecordStore`` version on the chain that is current;
- ``log_inclusion``: the record's evidence leaf is leaf ``s − 1`` of the log checkpoint the
  handover record carries (RFC 9162 inclusion proof over the whole evidence log).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from gateway.chain.errors import CallReverted, ChainError
from gateway.errors import GatewayError
from gateway.evidence.consistency import LogTree, check_inclusion
from gateway.evidence.digests import evidence_leaf
from gateway.evidence.verify import AnchoredBatch, Check
from gateway.handover.history import ChainHistory
from gateway.handover.record import RECORD_KEY, HandoverRecord
from gateway.onchain.artifacts import load_artifacts
from gateway.onchain.bound import text_to_bytes32
from gateway.onchain.runtime import ChainNotReady, ChainRuntime


@dataclass
class ChainEvidence:
    """What the chain history says about one record's anchor."""

    checks: list[Check]
    anchored: AnchoredBatch | None = None


def _batch_on(runtime: ChainRuntime, ledger_address: str, proof: dict[str, Any]) -> AnchoredBatch:
    ledger = runtime.client.contract(load_artifacts()["EvidenceLedger"], ledger_address)
    root = bytes.fromhex(str(proof["root"]).removeprefix("0x"))
    try:
        _index, count, first, *_ = ledger.call("batchByRoot", root)
    except CallReverted:
        return AnchoredBatch(b"\0" * 32)
    return AnchoredBatch(root, int(count), int(first))


def _on_current_chain(current: ChainRuntime, record: HandoverRecord) -> Check:
    store = current.contract("RecordStore")
    key = text_to_bytes32(RECORD_KEY)
    try:
        versions = int(store.call("versionCount", key))
        hashes = [bytes(store.call("getVersion", key, i)[0]) for i in range(versions)]
    except ChainError as exc:
        return Check("handover_on_chain", False, f"{current.profile} could not be read: {exc}")
    ok = record.digest in hashes
    detail = (
        f"RecordStore on {current.profile} holds the handover digest"
        if ok
        else f"RecordStore on {current.profile} does not hold the handover digest"
    )
    return Check("handover_on_chain", ok, detail)


def chain_evidence(
    engine: Engine,
    history: ChainHistory,
    proof: dict[str, Any],
    *,
    open_profile: Callable[[str], ChainRuntime],
    current: Callable[[], ChainRuntime],
    gateway_public_key: bytes,
    registered_keys: Callable[[str], bytes | None],
    quorum: int,
) -> ChainEvidence:
    sequence = int(proof["record"]["sequence"])
    period = history.period_of(sequence)
    if period is None:
        return ChainEvidence([Check("chain_period", False, f"no chain period holds {sequence}")])
    checks = [
        Check(
            "chain_period",
            True,
            f"sequence {sequence} was anchored on {period['profile']} ({period['vendor']}, "
            f"chain {period['chain_id']})",
        )
    ]
    try:
        runtime = open_profile(period["profile"])
        address = period["ledger_address"] or runtime.deployment().address("EvidenceLedger")
        anchored = _batch_on(runtime, address, proof)
        checks.append(Check("anchoring_chain", True, f"{period['profile']} answered"))
        return ChainEvidence(checks, anchored)
    except (ChainError, ChainNotReady, GatewayError) as exc:
        checks.append(
            Check(
                "anchoring_chain",
                True,
                f"{period['profile']} unreachable ({exc}); checking the handover record instead",
            )
        )
    handover = next(
        (
            h
            for h in history.handovers()
            if h["from_profile"] == period["profile"]
            and HandoverRecord.from_dict(h["document"]).last_sequence >= sequence
        ),
        None,
    )
    if handover is None:
        checks.append(Check("handover_signatures", False, "no handover record closes the period"))
        return ChainEvidence(checks)
    record = HandoverRecord.from_dict(handover["document"])
    members = {
        str(s["party"]): key
        for s in record.signatures
        if s.get("party") != "gateway" and (key := registered_keys(str(s["party"]))) is not None
    }
    ok, detail = record.check_signatures(gateway_public_key, members, quorum)
    checks.append(Check("handover_signatures", ok, detail))
    checks.append(_on_current_chain(current(), record))
    checkpoint = record.checkpoint
    log = LogTree.read(engine, up_to=checkpoint.tree_size)
    leaf = evidence_leaf(proof["record"])
    included = log.size == checkpoint.tree_size and check_inclusion(
        leaf, sequence, checkpoint, log.inclusion(sequence)
    )
    checks.append(
        Check(
            "log_inclusion",
            included,
            f"leaf {sequence - 1} of the {checkpoint.tree_size}-leaf log checkpoint"
            + ("" if included else ": the inclusion proof does not lead to its root"),
        )
    )
    return ChainEvidence(checks)
