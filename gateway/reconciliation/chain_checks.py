"""The database's anchors against ``EvidenceLedger``, and the registries against their contracts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from gateway.reconciliation.findings import (
    ANCHOR_NOT_ON_CHAIN,
    ANCHOR_WITHOUT_RECORDS,
    Finding,
)

MEMBER_DRIFT = "membership_drift"
CATALOG_DRIFT = "catalog_drift"


class EvidenceLedgerReader(Protocol):
    def batch_count(self) -> int: ...

    def batch_at(self, index: int) -> tuple[str, int, int, int]: ...

    def record_sequence(self, digest: str) -> int | None: ...


def anchor_findings(anchors: Sequence[Any], ledger: EvidenceLedgerReader) -> list[Finding]:
    """Every batch the database marks anchored must be on chain with the same range, and every
    batch on chain must be one the database holds."""
    findings: list[Finding] = []
    on_chain: dict[str, tuple[int, int, int, int]] = {}
    for index in range(ledger.batch_count()):
        root, count, first, last = ledger.batch_at(index)
        on_chain[root] = (index, count, first, last)
    known: set[str] = set()
    for anchor in anchors:
        known.add(anchor.root)
        if anchor.status != "anchored":
            continue
        if anchor.prev_root == "direct":
            sequence = ledger.record_sequence(anchor.root)
            if sequence != anchor.first_sequence:
                findings.append(
                    Finding(
                        ANCHOR_NOT_ON_CHAIN,
                        f"anchor:{anchor.id}",
                        {
                            "root": anchor.root,
                            "problem": "the record digest is not anchored on chain",
                            "sequence": anchor.first_sequence,
                            "sequence_on_chain": sequence,
                        },
                    )
                )
            continue
        batch = on_chain.get(anchor.root)
        database = (anchor.count, anchor.first_sequence, anchor.last_sequence)
        if batch is None or batch[1:] != database:
            findings.append(
                Finding(
                    ANCHOR_NOT_ON_CHAIN,
                    f"anchor:{anchor.id}",
                    {
                        "root": anchor.root,
                        "tx_hash": anchor.tx_hash,
                        "problem": "no batch with this root on chain"
                        if batch is None
                        else "the chain holds this root with another range",
                        "database": dict(zip(("count", "first", "last"), database, strict=True)),
                        "chain": None
                        if batch is None
                        else dict(zip(("count", "first", "last"), batch[1:], strict=True)),
                    },
                )
            )
    for root, (index, count, first, last) in on_chain.items():
        if root not in known:
            findings.append(
                Finding(
                    ANCHOR_WITHOUT_RECORDS,
                    f"chain-batch:{index}",
                    {
                        "root": root,
                        "count": count,
                        "first_sequence": first,
                        "last_sequence": last,
                        "problem": "anchored on chain but unknown to the database",
                    },
                )
            )
    return findings


def membership_findings(members: Any) -> list[Finding]:
    """Members whose index entry differs from ``MemberRegistry`` (nothing is written)."""
    findings: list[Finding] = []
    on_chain_codes = set()
    for code in members.ledger.codes():
        on_chain_codes.add(code)
        remote = members.ledger.read(code)
        if remote is None:
            continue
        local = members.index.get(code)
        if local is None:
            findings.append(
                Finding(MEMBER_DRIFT, f"member:{code}", {"problem": "on chain, not in the index"})
            )
            continue
        differences = {
            name: {"chain": chain_value, "index": index_value}
            for name, chain_value, index_value in (
                ("status", remote.status.value, local.status.value),
                ("public_key", remote.public_key.hex(), local.public_key),
                ("account", remote.account.lower(), local.account.lower()),
                ("name", remote.name, local.profile.name_zh),
                ("roles", int(remote.roles), int(local.profile.roles)),
            )
            if chain_value != index_value
        }
        if differences:
            findings.append(Finding(MEMBER_DRIFT, f"member:{code}", {"fields": differences}))
    for profile in members.index.profiles():
        if profile.code not in on_chain_codes:
            findings.append(
                Finding(
                    MEMBER_DRIFT,
                    f"member:{profile.code}",
                    {"problem": "in the index, not on chain"},
                )
            )
    return findings


def catalog_findings(catalog: Any) -> list[Finding]:
    """Entries whose latest version or status differs from ``DataCatalog``."""
    findings: list[Finding] = []
    on_chain = set(catalog.ledger.entry_ids())
    for entry_id in sorted(on_chain):
        remote = catalog.ledger.read(entry_id)
        local = catalog.index.get(entry_id)
        if remote is None:
            continue
        if local is None:
            findings.append(
                Finding(
                    CATALOG_DRIFT, f"entry:{entry_id}", {"problem": "on chain, not in the index"}
                )
            )
            continue
        differences = {
            name: {"chain": chain_value, "index": index_value}
            for name, chain_value, index_value in (
                ("version_hash", remote.latest_hash, local.version_hash),
                ("status", remote.status.value, local.status.value),
            )
            if chain_value != index_value
        }
        if differences:
            findings.append(Finding(CATALOG_DRIFT, f"entry:{entry_id}", {"fields": differences}))
    for entry in catalog.index.all_entries():
        if entry.id not in on_chain:
            findings.append(
                Finding(
                    CATALOG_DRIFT, f"entry:{entry.id}", {"problem": "in the index, not on chain"}
                )
            )
    return findings
