"""``EvidenceLedger`` on chain as the anchoring job's ledger port."""

from __future__ import annotations

from gateway.errors import GatewayError
from gateway.onchain.bound import BoundContract, hash_to_bytes32


class EvidenceLedgerRefused(GatewayError):
    code = "evidence_ledger_refused"
    status = 409
    title = "The evidence ledger refused the anchor"


class ChainEvidenceLedger:
    def __init__(self, ledger: BoundContract) -> None:
        self.ledger = ledger

    def anchor_batch(
        self, root: str, count: int, first: int, last: int, prev_root: str
    ) -> tuple[str, int]:
        receipt = self.ledger.send(
            "anchorBatch",
            hash_to_bytes32(root),
            count,
            first,
            last,
            hash_to_bytes32(prev_root),
        )
        return receipt.transaction_hash, receipt.block_number

    def anchor_record(self, digest: str, sequence: int) -> tuple[str, int]:
        receipt = self.ledger.send("anchorRecord", hash_to_bytes32(digest), sequence)
        return receipt.transaction_hash, receipt.block_number

    def next_sequence(self) -> int:
        return int(self.ledger.call("nextSequence"))

    def batch_by_root(self, root: str) -> tuple[int, int, int] | None:
        """(count, first sequence, last sequence) of an anchored root, or None."""
        try:
            _index, count, first, last, *_ = self.ledger.call("batchByRoot", hash_to_bytes32(root))
        except EvidenceLedgerRefused:
            return None
        return int(count), int(first), int(last)

    def batch_count(self) -> int:
        return int(self.ledger.call("batchCount"))

    def batch_at(self, index: int) -> tuple[str, int, int, int]:
        """(root, count, first sequence, last sequence) of the batch at ``index``."""
        root, count, first, last, *_ = self.ledger.call("batchAt", index)
        return "0x" + bytes(root).hex(), int(count), int(first), int(last)

    def record_sequence(self, digest: str) -> int | None:
        """The sequence a directly anchored record digest holds, or None."""
        try:
            sequence, _anchored_at = self.ledger.call("recordByDigest", hash_to_bytes32(digest))
        except EvidenceLedgerRefused:
            return None
        return int(sequence)
