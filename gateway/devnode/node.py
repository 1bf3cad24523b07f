"""The devnode: a single-sealer FISCO BCOS 2.x compatible chain over py-evm.

:class:`DevNode` composes the store (durability), the pool (admission), the engine
(execution) and block sealing, and answers the queries the RPC dispatcher needs. Nothing
happens at construction: :meth:`DevNode.start` opens the data directory, creates the
genesis block on first use, restores the pending pool and (optionally) starts the sealer
thread; :meth:`DevNode.stop` stops it and closes the store.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from dataclasses import dataclass

from gateway.chain.suite import CryptoSuite, PrivateKey, suite_by_name
from gateway.chain.tx.v2 import SignedTransactionV2
from gateway.devnode.blocks import (
    ZERO_HASH,
    logs_bloom,
    receipt_digest,
    receipt_json,
    seal_header,
    transaction_json,
)
from gateway.devnode.engine import (
    DEFAULT_TX_GAS_LIMIT,
    EMPTY_ROOT,
    BlockContext,
    Engine,
    ExecutionResult,
)
from gateway.devnode.errors import StoreError, SuiteMismatch
from gateway.devnode.sealer import run_sealer
from gateway.devnode.state import FlatState, StateChanges
from gateway.devnode.store import ChainStore, CommittedTransaction, StoredBlock
from gateway.devnode.txpool import DEFAULT_POOL_LIMIT, TxPool

#: The FISCO BCOS release whose 2.x RPC behaviour the devnode follows.
COMPATIBLE_VERSION = "2.9.1"
DEFAULT_TX_COUNT_LIMIT = 1000


@dataclass(frozen=True)
class DevnodeConfig:
    suite: str = "sm"
    chain_id: int = 1
    group_id: int = 1
    block_interval: float = 0.5  # seconds; FISCO's min_block_generation_time is 500 ms
    tx_count_limit: int = DEFAULT_TX_COUNT_LIMIT  # transactions per block
    tx_gas_limit: int = DEFAULT_TX_GAS_LIMIT
    pool_limit: int = DEFAULT_POOL_LIMIT


class DevNode:
    """One chain (one group) persisted under ``data_dir``."""

    def __init__(
        self, data_dir: str | os.PathLike[str], config: DevnodeConfig | None = None
    ) -> None:
        self.config = config or DevnodeConfig()
        self.suite: CryptoSuite = suite_by_name(self.config.suite)
        self.store = ChainStore(data_dir)
        self.state = FlatState(
            self.store.load_account,
            self.store.load_storage,
            self.store.load_code,
            self.store.load_all_storage,
        )
        self.engine = Engine(
            self.suite.hash,
            self.suite.name,
            self.state,
            chain_id=self.config.chain_id,
            tx_gas_limit=self.config.tx_gas_limit,
        )
        self.pool = TxPool(
            self.suite,
            self.store,
            self.config.chain_id,
            self.config.group_id,
            limit=self.config.pool_limit,
        )
        self._seal_lock = threading.Lock()
        self._committed = threading.Condition()
        self._head: StoredBlock | None = None
        self._recent_hashes: deque[bytes] = deque(maxlen=256)  # newest first, for BLOCKHASH
        self._key: PrivateKey | None = None
        self._sealer: threading.Thread | None = None
        self._stopping = threading.Event()
        self.sealer_error: BaseException | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self, seal: bool = True) -> None:
        self.store.open()
        try:
            self._check_params()
            self._key = self._load_or_create_key()
            head = self.store.head()
            if head is None:
                head = self._create_genesis()
            self._head = head
            for number in range(head.number, max(-1, head.number - 256), -1):
                block = self.store.block_by_number(number)
                if block is None:
                    raise StoreError(f"block {number} is missing below the head {head.number}")
                self._recent_hashes.append(block.hash)
            self.pool.restore(head.number)
        except BaseException:
            self.store.close()
            raise
        if seal:
            self._stopping.clear()
            self._sealer = threading.Thread(
                target=run_sealer, args=(self, self._stopping), name="devnode-sealer", daemon=True
            )
            self._sealer.start()

    def stop(self) -> None:
        self._stopping.set()
        with self.pool.ready:
            self.pool.ready.notify_all()
        if self._sealer is not None:
            self._sealer.join()
            self._sealer = None
        self.store.close()

    def _check_params(self) -> None:
        wanted = {
            "suite": self.suite.name,
            "chain_id": str(self.config.chain_id),
            "group_id": str(self.config.group_id),
        }
        for key, value in wanted.items():
            stored = self.store.get_meta(key)
            if stored is None:
                self.store.set_meta(key, value)
            elif stored != value:
                raise SuiteMismatch(
                    f"the data directory holds a chain with {key}={stored}, not {value}"
                )

    def _load_or_create_key(self) -> PrivateKey:
        stored = self.store.get_meta("sealer_key")
        if stored is not None:
            return self.suite.load_key(bytes.fromhex(stored))
        key = self.suite.generate_key()
        self.store.set_meta("sealer_key", key.to_bytes().hex())
        return key

    def _create_genesis(self) -> StoredBlock:
        header = seal_header(
            self.suite,
            self.key,
            number=0,
            parent_hash=ZERO_HASH,
            state_root=EMPTY_ROOT,
            tx_hashes=[],
            receipt_digests=[],
            logs_bloom=b"\x00" * 256,
            gas_used=0,
            timestamp_ms=int(time.time() * 1000),
        )
        block = StoredBlock(0, header.hash, EMPTY_ROOT, header.to_json(), ())
        self.store.commit_block(block, [], StateChanges())
        return block

    # -- identity and head ---------------------------------------------------------------
    @property
    def key(self) -> PrivateKey:
        if self._key is None:
            raise StoreError("the devnode is not started")
        return self._key

    @property
    def node_id(self) -> str:
        return self.suite.public_key_of(self.key).hex()

    @property
    def sealer_address(self) -> bytes:
        return self.suite.address_of_key(self.key)

    @property
    def head(self) -> StoredBlock:
        if self._head is None:
            raise StoreError("the devnode is not started")
        return self._head

    def genesis_hash(self) -> bytes:
        genesis = self.store.block_by_number(0)
        return genesis.hash if genesis is not None else ZERO_HASH

    # -- transactions and calls ----------------------------------------------------------
    def submit(self, raw: bytes) -> bytes:
        return self.pool.submit(raw)

    def call(self, sender: bytes, to: bytes, data: bytes) -> tuple[int, ExecutionResult]:
        head = self.head
        context = BlockContext(
            head.number + 1,
            int(time.time() * 1000),
            self.sealer_address,
            tuple(self._recent_hashes),
        )
        return head.number, self.engine.call(head.state_root, context, sender, to, data)

    def get_code(self, address: bytes) -> bytes:
        return self.engine.get_code(address)

    def wait_for_height(self, number: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._committed:
            while self.head.number < number:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._committed.wait(left)
        return True

    # -- sealing -------------------------------------------------------------------------
    @property
    def block_interval(self) -> float:
        return self.config.block_interval

    @property
    def tx_count_limit(self) -> int:
        return self.config.tx_count_limit

    def seal_block(self) -> StoredBlock | None:
        """Seal up to ``tx_count_limit`` pending transactions into the next block."""
        with self._seal_lock:
            txs, expired = self.pool.take(self.config.tx_count_limit)
            parent = self.head
            if not txs:
                if expired:
                    self.store.drop_pending(expired)
                    self.pool.committed(parent.number, [], expired)
                return None
            return self._seal(parent, txs, expired)

    def _seal(
        self, parent: StoredBlock, txs: list[SignedTransactionV2], expired: list[bytes]
    ) -> StoredBlock:
        number = parent.number + 1
        timestamp = max(int(time.time() * 1000), int(parent.header["timestamp"], 16) + 1)
        context = BlockContext(number, timestamp, self.sealer_address, tuple(self._recent_hashes))
        work = [(tx.sender, tx.fields.to, tx.fields.data, tx.fields.is_deploy) for tx in txs]
        results, state_root, changes = self.engine.run_block(parent.state_root, context, work)
        blooms = [logs_bloom(result, self.suite.hash) for result in results]
        bloom = 0
        for receipt_bloom in blooms:
            bloom |= int.from_bytes(receipt_bloom, "big")
        header = seal_header(
            self.suite,
            self.key,
            number=number,
            parent_hash=parent.hash,
            state_root=state_root,
            tx_hashes=[tx.tx_hash for tx in txs],
            receipt_digests=[receipt_digest(r, self.suite.hash) for r in results],
            logs_bloom=bloom.to_bytes(256, "big"),
            gas_used=sum(r.gas_used for r in results),
            timestamp_ms=timestamp,
        )
        rows = [
            CommittedTransaction(
                hash=tx.tx_hash,
                index=i,
                nonce=tx.fields.nonce,
                tx_json=transaction_json(tx, header.hash, number, i),
                receipt_json=receipt_json(
                    tx,
                    result,
                    header.hash,
                    number,
                    i,
                    state_root,
                    max(0, self.config.tx_gas_limit - result.gas_used),
                    receipt_bloom,
                ),
                failed=result.status != 0,
            )
            for i, (tx, result, receipt_bloom) in enumerate(zip(txs, results, blooms, strict=True))
        ]
        block = StoredBlock(
            number, header.hash, state_root, header.to_json(), tuple(tx.tx_hash for tx in txs)
        )
        self.store.commit_block(block, rows, changes, expired)
        self.state.apply(changes)
        self.pool.committed(number, txs, expired)
        with self._committed:
            self._head = block
            self._recent_hashes.appendleft(block.hash)
            self._committed.notify_all()
        return block
