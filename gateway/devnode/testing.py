"""Test helper: a devnode serving HTTP on an ephemeral loopback port, in this process.

``with running_devnode(tmp_path, suite="sm") as (url, node): ...`` starts the node (sealer
thread included) and its HTTP server on ``127.0.0.1:0``, yields the server URL and the
:class:`~gateway.devnode.node.DevNode`, and stops both cleanly on exit. With ``seal=False``
no sealer thread runs: the test seals with :meth:`DevNode.seal_block` when it wants a block
(pending transactions stay pending until then).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from gateway.devnode.node import DevNode, DevnodeConfig
from gateway.devnode.rpc import Dispatcher
from gateway.devnode.server import DevnodeHttpServer


@contextmanager
def running_devnode(
    data_dir: str | os.PathLike[str],
    suite: str = "sm",
    *,
    chain_id: int = 1,
    group_id: int = 1,
    block_interval: float = 0.05,
    seal: bool = True,
) -> Iterator[tuple[str, DevNode]]:
    config = DevnodeConfig(
        suite=suite, chain_id=chain_id, group_id=group_id, block_interval=block_interval
    )
    node = DevNode(data_dir, config)
    node.start(seal=seal)
    try:
        server = DevnodeHttpServer("127.0.0.1", 0, Dispatcher(node))
    except BaseException:
        node.stop()
        raise
    thread = server.serve_in_thread()
    try:
        yield server.url, node
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        node.stop()
