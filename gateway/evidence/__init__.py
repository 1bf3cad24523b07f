"""Evidence of every access: SM3 Merkle trees, record digests, signed receipts, verification."""
