"""Retries with exponential backoff, only where repeating a request is safe.

Reads are idempotent, so a connection failure or timeout is retried. Transactions are not
retried here: the client re-sends the *same* signed bytes itself (same hash, so the node can
never execute it twice) and checks whether the node already has it. JSON-RPC errors are the
node's answer and are never retried.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from gateway.chain.errors import ChainUnavailable
from gateway.chain.transport.base import Transport

#: JSON-RPC methods (2.x and 3.x) that only read state.
READ_METHODS: frozenset[str] = frozenset(
    {
        "getClientVersion",
        "getBlockNumber",
        "getPbftView",
        "getSealerList",
        "getObserverList",
        "getNodeIDList",
        "getGroupPeers",
        "getConsensusStatus",
        "getSyncStatus",
        "getPeers",
        "getGroupList",
        "getGroupInfo",
        "getGroupInfoList",
        "getGroupNodeInfo",
        "getBlockByHash",
        "getBlockByNumber",
        "getBlockHeaderByHash",
        "getBlockHeaderByNumber",
        "getBlockHashByNumber",
        "getTransactionByHash",
        "getTransaction",
        "getTransactionByBlockHashAndIndex",
        "getTransactionByBlockNumberAndIndex",
        "getTransactionReceipt",
        "getPendingTransactions",
        "getPendingTxSize",
        "getCode",
        "getABI",
        "getTotalTransactionCount",
        "getSystemConfigByKey",
        "call",
        "getTransactionByHashWithProof",
        "getTransactionReceiptByHashWithProof",
        "getBatchReceiptsByBlockNumberAndRange",
        "getBatchReceiptsByBlockHashAndRange",
        "getNodeInfo",
    }
)


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all, sleeping ``initial_backoff * multiplier**i`` (capped) between."""

    attempts: int = 3
    initial_backoff: float = 0.2
    multiplier: float = 2.0
    max_backoff: float = 2.0

    def delays(self) -> Iterator[float]:
        """The pauses between attempts: one fewer than ``attempts``."""
        delay = self.initial_backoff
        for _ in range(max(self.attempts, 1) - 1):
            yield min(delay, self.max_backoff)
            delay *= self.multiplier


NO_RETRY = RetryPolicy(attempts=1)


class RetryingTransport:
    """Wraps a transport and retries read methods when the node is unreachable."""

    def __init__(
        self,
        inner: Transport,
        policy: RetryPolicy | None = None,
        *,
        methods: frozenset[str] = READ_METHODS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner = inner
        self.policy = policy or RetryPolicy()
        self.methods = methods
        self._sleep = sleep

    def request(self, method: str, params: list[Any]) -> Any:
        if method not in self.methods:
            return self.inner.request(method, params)
        delays = self.policy.delays()
        while True:
            try:
                return self.inner.request(method, params)
            except ChainUnavailable:
                delay = next(delays, None)
                if delay is None:
                    raise
                self._sleep(delay)
