"""Anchors per second through the chain port: an EVM node (Hardhat Network) vs the devnode.

Run:  .venv/bin/python tests/bench/bench_anchor_vendors.py [--count 200] [--rounds 3]
      [--block-interval 0.02]

Both chains get the same committed artefacts (solc 0.8.11) and the same workload, in the same
run: ``EvidenceLedger.anchorBatch`` sent one after the other through the gateway's chain port
(sign, send, wait for the receipt, as the anchoring job does), each continuing the previous
root and sequence. The baseline is the embedded FISCO BCOS devnode (SM2/SM3, served over HTTP
on loopback, sealing every ``--block-interval`` s); the other side is the EVM adapter
(web3.py, eth-account, EIP-1559 transactions) against Hardhat Network on loopback
(``npm --prefix tests/evmnode ci``; automine: one block per transaction). Each figure is the
best of ``--rounds``; every receipt is checked to be a success.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parents[2]))

from gateway.chain.client import ChainClient
from gateway.chain.port import ChainPort
from gateway.chain.suite import SM_SUITE, PrivateKey
from gateway.chain.transport.http import HttpTransport
from gateway.crypto.secp256k1 import Secp256k1PrivateKey
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.devnode.testing import running_devnode
from gateway.evm.client import EvmClient
from gateway.onchain.artifacts import load_artifacts
from gateway.onchain.deployment import deploy_alliance
from tests.evm_support import hardhat_node


def anchors_per_second(client: ChainPort, key: PrivateKey, count: int, rounds: int) -> float:
    artifacts = load_artifacts()
    deployment = deploy_alliance(client, key, artifacts)
    ledger = client.contract(artifacts["EvidenceLedger"], deployment.address("EvidenceLedger"))
    previous, sequence, best = bytes(32), 1, 0.0
    for round_number in range(rounds):
        started = time.perf_counter()
        for index in range(count):
            root = (round_number * count + index + 1).to_bytes(32, "big")
            receipt = ledger.transact(
                "anchorBatch", root, 10, sequence, sequence + 9, previous, key=key
            )
            assert receipt.ok
            previous, sequence = root, sequence + 10
        best = max(best, count / (time.perf_counter() - started))
    assert ledger.call("nextSequence") == sequence
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--block-interval", type=float, default=0.02)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as directory,
        running_devnode(directory, "sm", block_interval=args.block_interval) as (url, _),
    ):
        client = ChainClient(HttpTransport(url), SM_SUITE, 1, 1, poll_interval=0.005)
        devnode = anchors_per_second(client, Sm2PrivateKey.generate(), args.count, args.rounds)

    with hardhat_node() as node:
        key = Secp256k1PrivateKey.generate()
        node.fund(address_of(key.public_key))
        client_evm = EvmClient(node.url, node.chain_id, poll_interval=0.005)
        evm = anchors_per_second(client_evm, key, args.count, args.rounds)

    print(f"anchorBatch, {args.count} sequential anchors, best of {args.rounds}")
    print(
        f"  baseline devnode (FISCO BCOS 2.x, SM2, block every {args.block_interval} s): "
        f"{devnode:8.1f} anchors/s"
    )
    print(f"  EVM adapter on Hardhat Network (secp256k1, EIP-1559):           {evm:8.1f} anchors/s")
    print(f"  ratio EVM / devnode: {evm / devnode:.2f}x")


if __name__ == "__main__":
    main()
