"""The sealing loop: a block every ``block_interval`` while transactions wait, sooner when full.

As a FISCO BCOS 2.x sealer (``min_block_generation_time`` 500 ms, ``tx_count_limit`` 1000,
no empty blocks): the loop sleeps until a transaction is pending, waits for the interval since
the previous block unless ``tx_count_limit`` transactions are already waiting, then seals.
It runs in a thread that :meth:`~gateway.devnode.node.DevNode.start` creates; nothing starts
at import. The loop sees the node only through :class:`Sealable`, so it does not import it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol


class PendingPool(Protocol):
    def wait_for_transactions(self, timeout: float) -> bool: ...

    def size(self) -> int: ...


class Sealable(Protocol):
    """The node as the sealing loop sees it: its pool, its timing, and sealing itself."""

    sealer_error: BaseException | None

    @property
    def pool(self) -> PendingPool: ...

    @property
    def block_interval(self) -> float: ...

    @property
    def tx_count_limit(self) -> int: ...

    def seal_block(self) -> object: ...


log = logging.getLogger(__name__)

_IDLE_POLL = 0.25


def run_sealer(node: Sealable, stopping: threading.Event) -> None:
    """Seal blocks until ``stopping`` is set; a sealing failure stops the loop and is kept."""
    interval = node.block_interval
    last_seal = 0.0
    while not stopping.is_set():
        if not node.pool.wait_for_transactions(_IDLE_POLL):
            continue
        if stopping.is_set():
            break
        waited = time.monotonic() - last_seal
        if waited < interval and node.pool.size() < node.tx_count_limit:
            stopping.wait(interval - waited)
            continue
        try:
            node.seal_block()
        except Exception as exc:
            log.exception("sealing failed; the devnode stops sealing")
            node.sealer_error = exc
            return
        last_seal = time.monotonic()
