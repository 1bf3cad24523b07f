"""Evidence Merkle tree benchmark: one anchoring batch of N records, hashed, built into an SM3
RFC 6962 tree, with every record's inclusion proof, against a bare loop of hashlib SM3 leaf
hashes of the same records measured in the same run.

Run:  .venv/bin/python tests/bench/bench_merkle.py [--records 100000] [--rounds 3]

The records are real evidence leaves (canonical JSON of an access record's evidence fields,
about 520 bytes). Rates are records per CPU second of this process, best of the rounds; the
ratio is ours over the baseline in the same round (median over rounds). Encoding the leaves
(RFC 8785 canonical JSON) and verifying every proof are timed separately for the full
picture. Goal (docs/benchmarks.md): a batch with all proofs at well above 10 000 records/s.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from gateway.evidence.digests import evidence_leaf
from gateway.evidence.merkle import MerkleTree, leaf_hash, verify_inclusion

GOAL_RECORDS_PER_SECOND = 10_000
T = TypeVar("T")


def sample_record(sequence: int) -> dict[str, object]:
    return {
        "request_id": f"01JD{sequence:022d}",
        "sequence": sequence,
        "entry_id": "NRD-HOUSEHOLD",
        "entry_version": "0x" + hashlib.sha256(b"entry").hexdigest(),
        "consumer": "PSB",
        "provider": "NRD",
        "purpose": "M0101",
        "request_digest": "0x" + hashlib.sha256(b"q%d" % sequence).hexdigest(),
        "response_digest": "0x" + hashlib.sha256(b"r%d" % sequence).hexdigest(),
        "decision": "allowed",
        "reason": None,
        "received_at": "2026-11-27T14:00:00.000000Z",
        "responded_at": "2026-11-27T14:00:00.250000Z",
    }


def timed(operation: Callable[[], T]) -> tuple[float, T]:
    start = time.process_time()
    result = operation()
    return time.process_time() - start, result


def baseline(leaves: list[bytes]) -> list[bytes]:
    """The least any batch costs: one SM3 per record, straight from hashlib."""
    return [hashlib.new("sm3", b"\x00" + leaf).digest() for leaf in leaves]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    count = options.records

    encode_seconds, leaves = timed(
        lambda: [evidence_leaf(sample_record(sequence)) for sequence in range(1, count + 1)]
    )
    print(f"{count} evidence leaves, {sum(map(len, leaves)) / count:.0f} bytes on average")

    ours_rates, base_rates, ratios, phases = [], [], [], []
    for round_number in range(1, options.rounds + 1):
        base_seconds, base_hashes = timed(lambda: baseline(leaves))
        hash_seconds, hashes = timed(lambda: [leaf_hash(leaf) for leaf in leaves])
        build_seconds, tree = timed(partial(MerkleTree, hashes))
        proof_seconds, proofs = timed(tree.inclusion_proofs)
        assert hashes == base_hashes
        ours_seconds = hash_seconds + build_seconds + proof_seconds
        ours_rates.append(count / ours_seconds)
        base_rates.append(count / base_seconds)
        ratios.append(base_seconds / ours_seconds)
        phases.append((hash_seconds, build_seconds, proof_seconds))
        print(
            f"round {round_number}: batch+proofs {count / ours_seconds:,.0f} rec/s "
            f"(leaf hashes {hash_seconds:.3f} s, tree {build_seconds:.3f} s, "
            f"proofs {proof_seconds:.3f} s); baseline {count / base_seconds:,.0f} rec/s"
        )

    root = tree.root
    verify_seconds, verified = timed(
        lambda: all(verify_inclusion(hashes[i], i, count, proofs[i], root) for i in range(count))
    )
    assert verified is True

    best = max(ours_rates)
    print()
    print(f"records per batch:                      {count}")
    print(f"batch + all proofs (ours), rec/s:       {best:,.0f}")
    print(f"bare hashlib SM3 leaf loop (baseline):  {max(base_rates):,.0f}")
    print(f"ours / baseline (median of rounds):     {statistics.median(ratios):.2f}x")
    print(f"encoding leaves (RFC 8785), rec/s:      {count / encode_seconds:,.0f}")
    print(f"verifying every proof, proofs/s:        {count / verify_seconds:,.0f}")
    depth = max(len(proof) for proof in proofs)
    print(f"audit path length:                      {depth} nodes")
    goal = "met" if best >= GOAL_RECORDS_PER_SECOND else "NOT met"
    print(f"goal >= {GOAL_RECORDS_PER_SECOND:,} rec/s:                   {goal}")


if __name__ == "__main__":
    main()
