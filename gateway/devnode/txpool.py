"""Transaction pool: admission checks as a FISCO BCOS 2.x node makes them, then durability.

Checks (``libtxpool/TxPool.cpp``, ``TransactionNonceCheck.cpp``), each refusal answered with
the node's ``ImportResult`` name and the matching receipt status:

* the bytes are a 13-item RLP transaction of the node's suite (else ``Malformed``);
* the pool has room (``TransactionPoolIsFull``);
* not already pending (``TransactionAlreadyKown``, sic) nor sealed (``TransactionAlreadyInChain``);
* the nonce was not used by a transaction sealed in the last 1000 blocks
  (``TransactionNonceCheckFail``) nor by a pending one (``TxPoolNonceCheckFail``);
* ``height < blockLimit <= height + 1000`` (``BlockLimitCheckFailed``);
* the SM2 (with Z) or ECDSA signature verifies (``Malformed``);
* chain id and group id are the node's (``InvalidChainId``, ``InvalidGroupId``).

An accepted transaction is written to the store before :meth:`TxPool.submit` returns, and
only then offered to the sealer: whatever the client was told is accepted survives a crash.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from gateway.chain.errors import TransactionDecodeError
from gateway.chain.suite import CryptoSuite
from gateway.chain.tx.v2 import SignedTransactionV2, decode_raw_transaction
from gateway.devnode import status
from gateway.devnode.errors import TransactionRejected
from gateway.devnode.store import ChainStore

#: A 2.x node accepts ``height < blockLimit <= height + 1000`` (``maxBlockLimit``).
BLOCK_LIMIT_WINDOW = 1000
DEFAULT_POOL_LIMIT = 150_000


class TxPool:
    """Pending transactions in arrival order, with the nonce caches of the node."""

    def __init__(
        self,
        suite: CryptoSuite,
        store: ChainStore,
        chain_id: int,
        group_id: int,
        limit: int = DEFAULT_POOL_LIMIT,
    ) -> None:
        self._suite = suite
        self._store = store
        self._chain_id = chain_id
        self._group_id = group_id
        self._limit = limit
        self._lock = threading.Lock()
        self.ready = threading.Condition(self._lock)
        self._ready: OrderedDict[bytes, SignedTransactionV2] = OrderedDict()
        self._reserved: set[bytes] = set()
        self._pool_nonces: set[int] = set()
        self._chain_nonces: dict[int, int] = {}  # nonce -> block number that sealed it
        self._chain_hashes: dict[bytes, int] = {}  # tx hash -> block number that sealed it
        self._height = 0

    # -- start-up ------------------------------------------------------------------------
    def restore(self, height: int) -> int:
        """Rebuild the nonce cache and reload the persisted pending transactions."""
        self._height = height
        for number, nonce, tx_hash in self._store.sealed_since(
            max(0, height - BLOCK_LIMIT_WINDOW + 1)
        ):
            self._chain_nonces[nonce] = number
            self._chain_hashes[tx_hash] = number
        stale = []
        for tx_hash, raw in self._store.pending():
            if self._store.has_transaction(tx_hash):
                stale.append(tx_hash)
                continue
            tx = decode_raw_transaction(raw, self._suite)
            self._ready[tx.tx_hash] = tx
            self._pool_nonces.add(tx.fields.nonce)
        if stale:
            self._store.drop_pending(stale)
        return len(self._ready)

    # -- admission -----------------------------------------------------------------------
    def submit(self, raw: bytes) -> bytes:
        """Validate, persist and enqueue ``raw``; returns the transaction hash."""
        try:
            tx = decode_raw_transaction(raw, self._suite)
        except TransactionDecodeError as exc:
            raise TransactionRejected("Malformed", status.MALFORMED_TX, None, str(exc)) from exc
        with self._lock:
            self._admit(tx)
            self._reserved.add(tx.tx_hash)
            self._pool_nonces.add(tx.fields.nonce)
        try:
            self._store.add_pending(tx.tx_hash, tx.raw)
        except BaseException:
            with self._lock:
                self._reserved.discard(tx.tx_hash)
                self._pool_nonces.discard(tx.fields.nonce)
            raise
        with self._lock:
            self._reserved.discard(tx.tx_hash)
            self._ready[tx.tx_hash] = tx
            self.ready.notify_all()
        return tx.tx_hash

    def _admit(self, tx: SignedTransactionV2) -> None:
        h = tx.tx_hash
        fields = tx.fields
        if len(self._ready) + len(self._reserved) >= self._limit:
            raise TransactionRejected("TransactionPoolIsFull", status.TX_POOL_IS_FULL, h)
        if h in self._ready or h in self._reserved:
            raise TransactionRejected("TransactionAlreadyKown", status.ALREADY_KNOWN, h)
        # A transaction sealed more than 1000 blocks ago has an expired blockLimit, so the
        # hashes of the last 1000 blocks suffice (as the node's in-memory "dropped" set).
        if h in self._chain_hashes:
            raise TransactionRejected("TransactionAlreadyInChain", status.ALREADY_IN_CHAIN, h)
        sealed_in = self._chain_nonces.get(fields.nonce)
        if sealed_in is not None and sealed_in > self._height - BLOCK_LIMIT_WINDOW:
            raise TransactionRejected("TransactionNonceCheckFail", status.NONCE_CHECK_FAIL, h)
        if not self._height < fields.block_limit <= self._height + BLOCK_LIMIT_WINDOW:
            raise TransactionRejected(
                "BlockLimitCheckFailed",
                status.BLOCK_LIMIT_CHECK_FAIL,
                h,
                f"txBlockLimit={fields.block_limit}",
            )
        if not tx.signature_valid:
            raise TransactionRejected("Malformed", status.MALFORMED_TX, h, "invalid signature")
        if fields.nonce in self._pool_nonces:
            raise TransactionRejected("TxPoolNonceCheckFail", status.NONCE_CHECK_FAIL, h)
        if fields.chain_id != self._chain_id:
            raise TransactionRejected("InvalidChainId", status.INVALID_CHAIN_ID, h)
        if fields.group_id != self._group_id:
            raise TransactionRejected("InvalidGroupId", status.INVALID_GROUP_ID, h)

    # -- sealing -------------------------------------------------------------------------
    def size(self) -> int:
        with self._lock:
            return len(self._ready)

    def pending(self) -> list[SignedTransactionV2]:
        with self._lock:
            return list(self._ready.values())

    def wait_for_transactions(self, timeout: float) -> bool:
        with self._lock:
            if not self._ready:
                self.ready.wait(timeout)
            return bool(self._ready)

    def take(self, limit: int) -> tuple[list[SignedTransactionV2], list[bytes]]:
        """Up to ``limit`` sealable transactions, and the hashes whose blockLimit expired.

        The block being sealed has number ``height + 1``; a transaction whose blockLimit is not
        above the current height can no longer be sealed and is dropped, as the node does.
        """
        chosen: list[SignedTransactionV2] = []
        expired: list[bytes] = []
        with self._lock:
            for tx in self._ready.values():
                if tx.fields.block_limit <= self._height:
                    expired.append(tx.tx_hash)
                    continue
                chosen.append(tx)
                if len(chosen) >= limit:
                    break
        return chosen, expired

    def committed(
        self, number: int, sealed: list[SignedTransactionV2], expired: list[bytes]
    ) -> None:
        """Forget what block ``number`` sealed or dropped; move the nonce window forward."""
        with self._lock:
            for tx in sealed:
                self._ready.pop(tx.tx_hash, None)
                self._pool_nonces.discard(tx.fields.nonce)
                self._chain_nonces[tx.fields.nonce] = number
                self._chain_hashes[tx.tx_hash] = number
            for tx_hash in expired:
                gone = self._ready.pop(tx_hash, None)
                if gone is not None:
                    self._pool_nonces.discard(gone.fields.nonce)
            self._height = number
            horizon = number - BLOCK_LIMIT_WINDOW
            if horizon > 0 and len(self._chain_nonces) > 4 * BLOCK_LIMIT_WINDOW:
                self._chain_nonces = {n: b for n, b in self._chain_nonces.items() if b > horizon}
                self._chain_hashes = {h: b for h, b in self._chain_hashes.items() if b > horizon}
