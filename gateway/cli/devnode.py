"""``alliance devnode``: serve the embedded FISCO BCOS 2.x compatible chain over HTTP JSON-RPC."""

from __future__ import annotations

import json
import signal
import sys
import threading
from types import FrameType

import click

from gateway.devnode.errors import DevnodeError


@click.command(name="devnode")
@click.option("--host", default="127.0.0.1", show_default=True, help="Listen address.")
@click.option("--port", default=8545, show_default=True, type=int, help="Listen port (0: any).")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Data directory (created if missing).",
)
@click.option(
    "--suite",
    type=click.Choice(["sm", "ecdsa"]),
    default="sm",
    show_default=True,
    help="Crypto suite: SM2/SM3 (guomi) or secp256k1/Keccak-256.",
)
@click.option("--chain-id", default=1, show_default=True, type=int)
@click.option("--group-id", default=1, show_default=True, type=int)
@click.option(
    "--block-interval",
    default=0.5,
    show_default=True,
    type=float,
    help="Seconds between blocks while transactions wait (min_block_generation_time).",
)
@click.option(
    "--tx-count-limit",
    default=1000,
    show_default=True,
    type=int,
    help="Transactions per block (tx_count_limit).",
)
def devnode(
    host: str,
    port: int,
    data_dir: str,
    suite: str,
    chain_id: int,
    group_id: int,
    block_interval: float,
    tx_count_limit: int,
) -> None:
    """Run a single-node FISCO BCOS 2.x compatible chain (py-evm) for development.

    Prints one JSON line with the RPC URL once it listens; stops on SIGINT or SIGTERM.
    """
    from gateway.devnode.node import DevNode, DevnodeConfig
    from gateway.devnode.rpc import Dispatcher
    from gateway.devnode.server import DevnodeHttpServer

    config = DevnodeConfig(
        suite=suite,
        chain_id=chain_id,
        group_id=group_id,
        block_interval=block_interval,
        tx_count_limit=tx_count_limit,
    )
    node = DevNode(data_dir, config)
    try:
        node.start()
    except DevnodeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    try:
        server = DevnodeHttpServer(host, port, Dispatcher(node))
    except OSError as exc:
        node.stop()
        click.echo(f"error: cannot listen on {host}:{port}: {exc}", err=True)
        sys.exit(1)

    def _stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(
        json.dumps(
            {
                "url": server.url,
                "suite": node.suite.name,
                "chainId": chain_id,
                "groupId": group_id,
                "blockNumber": node.head.number,
                "nodeId": node.node_id,
                "data": str(data_dir),
            }
        )
    )
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        node.stop()
