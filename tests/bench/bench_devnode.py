"""Devnode throughput next to the raw py-evm execution rate, measured in the same run.

Workloads (the alliance contracts from contracts/build/solc-0.8.11):

* evidence anchors: ``EvidenceLedger.anchorRecord(digest, seq)`` by an authorised gateway;
* catalogue writes: ``DataCatalog.publishEntry(entryId, provider, class, versionHash)`` by the
  office (a MemberRegistry governor) for an active provider;
* reads: ``call`` of ``EvidenceLedger.recordBySequence(seq)``.

Baseline ("raw"): the same transactions executed by py-evm at the state level on its own
trie-backed ``AccountDB`` in memory, with the devnode's execution rules, without signatures,
pool, HTTP or disk ("raw exec"; "raw+trie" adds the per-block ``persist``). Also shown: the
devnode's engine on its flat state ("flat"). The devnode figures go through ``alliance
devnode`` in a subprocess, over HTTP JSON-RPC, with transactions pre-signed (client signing is
not measured) and sent from several client threads (anchors: one ledger per thread, so each
ledger's sequence stays in order); the clock runs from the first send until the node counts
every transaction, and every receipt is then checked to be status 0.

Usage: .venv/bin/python tests/bench/bench_devnode.py [--suite sm|ecdsa] [--count 2000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import rlp
from eth.constants import BLANK_ROOT_HASH
from eth.db.account import AccountDB
from eth.db.atomic import AtomicDB
from eth_abi import encode

from gateway.chain.suite import CryptoSuite, PrivateKey, suite_by_name
from gateway.chain.tx.v2 import SignedTransactionV2, TransactionFieldsV2, sign_transaction
from gateway.devnode.engine import EMPTY_ROOT, BlockContext, Engine
from gateway.devnode.state import FlatState, StateChanges

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "contracts" / "build" / "solc-0.8.11"
CLIENT_THREADS = 8


def art(name: str) -> dict[str, Any]:
    return dict(json.loads((ARTEFACTS / f"{name}.json").read_text()))


def fn(artefact: dict[str, Any], signature: str, types: list[str], args: list[Any]) -> bytes:
    return bytes.fromhex(artefact["methodIdentifiers"][signature]) + encode(types, args)


LEDGER, REGISTRY, CATALOG = art("EvidenceLedger"), art("MemberRegistry"), art("DataCatalog")
PROVIDER = b"DEPT-PROVIDER".ljust(32, b"\x00")


def code(
    artefact: dict[str, Any], types: tuple[str, ...] = (), args: tuple[Any, ...] = ()
) -> bytes:
    return bytes.fromhex(artefact["bytecode"][2:]) + encode(list(types), list(args))


def created(suite: CryptoSuite, me: bytes, n: int) -> bytes:
    return suite.hash(rlp.encode([me, n]))[12:]


def setup_calls(suite: CryptoSuite, me: bytes) -> list[bytes]:
    """Deploys: MemberRegistry, DataCatalog, then one EvidenceLedger per client thread."""
    return [
        code(REGISTRY),
        code(CATALOG, ("address",), (created(suite, me, 0),)),
        *[code(LEDGER) for _ in range(CLIENT_THREADS)],
    ]


def ledgers(suite: CryptoSuite, me: bytes) -> list[bytes]:
    return [created(suite, me, 2 + i) for i in range(CLIENT_THREADS)]


def follow_up(suite: CryptoSuite, me: bytes) -> list[tuple[bytes, bytes]]:
    registry = created(suite, me, 0)
    member_key = b"\x04" * 64
    return [
        *[
            (ledger, fn(LEDGER, "authoriseGateway(address)", ["address"], [me]))
            for ledger in ledgers(suite, me)
        ],
        (
            registry,
            fn(
                REGISTRY,
                "registerApplication(bytes32,string,bytes,address,uint32)",
                ["bytes32", "string", "bytes", "address", "uint32"],
                [PROVIDER, "Provider department", member_key, b"\x05" * 20, 1],
            ),
        ),
        (registry, fn(REGISTRY, "approve(bytes32,string)", ["bytes32", "string"], [PROVIDER, ""])),
    ]


def workload(suite: CryptoSuite, me: bytes, kind: str, count: int) -> list[tuple[bytes, bytes]]:
    """Anchors go round-robin to the ledgers, so client thread i feeds ledger i in sequence."""
    catalog = created(suite, me, 1)
    if kind == "anchor":
        targets = ledgers(suite, me)
        return [
            (
                targets[i % CLIENT_THREADS],
                fn(
                    LEDGER,
                    "anchorRecord(bytes32,uint64)",
                    ["bytes32", "uint64"],
                    [(i + 1).to_bytes(32, "big"), i // CLIENT_THREADS + 1],
                ),
            )
            for i in range(count)
        ]
    return [
        (
            catalog,
            fn(
                CATALOG,
                "publishEntry(bytes32,bytes32,uint8,bytes32)",
                ["bytes32", "bytes32", "uint8", "bytes32"],
                [(i + 1).to_bytes(32, "big"), PROVIDER, 0, (i + 7).to_bytes(32, "big")],
            ),
        )
        for i in range(count)
    ]


# -- baselines: py-evm alone ----------------------------------------------------------------
class StockEngine(Engine):
    """The same execution rules on py-evm's own trie-backed ``AccountDB`` in memory."""

    def __init__(self, suite: CryptoSuite) -> None:
        super().__init__(
            suite.hash, suite.name, FlatState(lambda a: None, lambda *k: 0, lambda h: None)
        )
        self._stock = self._state_class.configure(account_db_class=AccountDB)
        self._db = AtomicDB()

    def open_state(self, state_root: bytes, block: BlockContext) -> Any:
        context = super().open_state(EMPTY_ROOT, block).execution_context
        root = BLANK_ROOT_HASH if state_root == EMPTY_ROOT else state_root
        return self._stock(self._db, context, root)

    def run_block(self, state_root: bytes, block: BlockContext, transactions: Any) -> Any:
        state = self.open_state(state_root, block)
        results = []
        for sender, to, data, deploy in transactions:
            results.append(self.execute(state, sender, to, data, deploy=deploy))
            state.lock_changes()
        state.persist()
        return results, bytes(state.state_root), StateChanges()


def raw_rates(suite: CryptoSuite, me: bytes, count: int, stock: bool) -> dict[str, float]:
    flat = FlatState(lambda a: None, lambda a, i, s: 0, lambda h: None)
    engine = StockEngine(suite) if stock else Engine(suite.hash, suite.name, flat)
    context = BlockContext(1, int(time.time() * 1000), b"\x00" * 20)
    root = EMPTY_ROOT
    setup = [(me, b"", data, True) for data in setup_calls(suite, me)]
    setup += [(me, to, data, False) for to, data in follow_up(suite, me)]
    results, root, changes = engine.run_block(root, context, setup)
    flat.apply(changes)
    assert all(r.status == 0 for r in results), results
    rates = {}
    for kind in ("anchor", "catalog"):
        work = [(me, to, data, False) for to, data in workload(suite, me, kind, count)]
        state = engine.open_state(root, context)
        start = time.perf_counter()
        for sender, to, data, deploy in work:
            result = engine.execute(state, sender, to, data, deploy=deploy)
            assert result.status == 0, result
            state.lock_changes()
        rates[f"{kind}_exec"] = count / (time.perf_counter() - start)
        start = time.perf_counter()
        results, new_root, changes = engine.run_block(root, context, work)
        rates[f"{kind}_block"] = count / (time.perf_counter() - start)
        assert all(r.status == 0 for r in results)
        flat.apply(changes)
        root = new_root
    ledger = ledgers(suite, me)[0]
    per_ledger = count // CLIENT_THREADS
    reads = [
        fn(LEDGER, "recordBySequence(uint64)", ["uint64"], [1 + i % per_ledger])
        for i in range(count)
    ]
    start = time.perf_counter()
    for data in reads:
        assert engine.call(root, context, me, ledger, data).status == 0
    rates["read"] = count / (time.perf_counter() - start)
    return rates


# -- the devnode over HTTP --------------------------------------------------------------------
class Client:
    """A lean JSON-RPC client (one keep-alive ``http.client`` connection per thread).

    The benchmark client shares the machine with the node, so it must cost little CPU.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.local = threading.local()

    def post(self, body: bytes) -> Any:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = http.client.HTTPConnection(self.host, self.port)
        connection.request("POST", "/", body, {"Content-Type": "application/json"})
        reply = json.loads(connection.getresponse().read())
        if "error" in reply:
            raise RuntimeError(str(reply["error"]))
        return reply["result"]

    def rpc(self, method: str, params: list[Any]) -> Any:
        return self.post(
            json.dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": 1}).encode()
        )

    def receipt(self, tx_hash: str, timeout: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.rpc("getTransactionReceipt", [1, tx_hash])
            if found is not None:
                return dict(found)
            if time.monotonic() > deadline:
                raise RuntimeError(f"no receipt for {tx_hash}")
            time.sleep(0.01)

    def total(self) -> int:
        return int(self.rpc("getTotalTransactionCount", [1])["txSum"], 16)


def sign_all(
    suite: CryptoSuite,
    key: PrivateKey,
    work: list[tuple[bytes, bytes]],
    height: int,
    start_nonce: int,
) -> list[SignedTransactionV2]:
    return [
        sign_transaction(
            TransactionFieldsV2(
                start_nonce + i, 0, 30_000_000, height + 900, to, 0, data, 1, 1, b""
            ),
            suite,
            key,
        )
        for i, (to, data) in enumerate(work)
    ]


def send_all(client: Client, txs: list[SignedTransactionV2], threads: int) -> float:
    """Send from ``threads`` threads (each keeps its share in order); seconds to last receipt."""
    bodies = [
        json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "sendRawTransaction",
                "params": [1, "0x" + tx.raw.hex()],
                "id": 1,
            }
        ).encode()
        for tx in txs
    ]
    shares = [bodies[i::threads] for i in range(threads)]
    target = client.total() + len(txs)

    def push(share: list[bytes]) -> None:
        for body in share:
            client.post(body)

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(push, shares))
    while client.total() < target:  # every block is committed in order: wait for the count
        time.sleep(0.005)
    return time.perf_counter() - start


def devnode_rates(suite: CryptoSuite, key: PrivateKey, count: int) -> dict[str, float]:
    me = suite.address_of_key(key)
    with tempfile.TemporaryDirectory() as data_dir:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("alliance")),
                "devnode",
                "--port",
                "0",
                "--data",
                data_dir,
                "--suite",
                suite.name,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            client = Client(json.loads(process.stdout.readline())["url"])
            nonce = 1
            setup = [(b"", data) for data in setup_calls(suite, me)]
            send_all(client, sign_all(suite, key, setup, 0, nonce), threads=1)
            nonce += len(setup)
            height = int(client.rpc("getBlockNumber", [1]), 16)
            txs = sign_all(suite, key, follow_up(suite, me), height, nonce)
            nonce += len(txs)
            for tx in txs:
                client.rpc("sendRawTransaction", [1, "0x" + tx.raw.hex()])
                assert client.receipt("0x" + tx.tx_hash.hex())["status"] == "0x0"
            rates = {}
            for kind in ("anchor", "catalog"):
                # Anchors must be sealed in sequence order: one client thread keeps the order.
                height = int(client.rpc("getBlockNumber", [1]), 16)
                txs = sign_all(suite, key, workload(suite, me, kind, count), height, nonce)
                nonce += count
                seconds = send_all(client, txs, CLIENT_THREADS)
                bad = [
                    r
                    for r in (client.receipt("0x" + t.tx_hash.hex()) for t in txs)
                    if r["status"] != "0x0"
                ]
                assert not bad, bad
                rates[kind] = count / seconds
            ledger = ledgers(suite, me)[0]
            per_ledger = count // CLIENT_THREADS
            reads = [
                [
                    1,
                    {
                        "from": "0x" + me.hex(),
                        "to": "0x" + ledger.hex(),
                        "data": "0x"
                        + fn(
                            LEDGER, "recordBySequence(uint64)", ["uint64"], [1 + i % per_ledger]
                        ).hex(),
                    },
                ]
                for i in range(count)
            ]

            bodies = [
                json.dumps({"jsonrpc": "2.0", "method": "call", "params": p, "id": 1}).encode()
                for p in reads
            ]

            start = time.perf_counter()
            with ThreadPoolExecutor(CLIENT_THREADS) as pool:
                list(pool.map(client.post, bodies))
            rates["read"] = count / (time.perf_counter() - start)
            return rates
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=["sm", "ecdsa"], default="sm")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    suite = suite_by_name(args.suite)
    key = suite.generate_key()
    me = suite.address_of_key(key)
    raw = raw_rates(suite, me, args.count, stock=True)
    flat = raw_rates(suite, me, args.count, stock=False)
    node = devnode_rates(suite, key, args.count)
    print(f"suite={suite.name} transactions={args.count} client_threads={CLIENT_THREADS}")
    print("raw = py-evm state-level execution on its trie AccountDB, in memory, no signatures")
    print(
        f"{'workload':<18}{'raw exec':>10}{'raw+trie':>10}{'flat exec':>11}{'flat+blk':>10}"
        f"{'devnode':>9}{'devnode/raw':>13}"
    )
    for kind, label in (("anchor", "evidence anchors"), ("catalog", "catalogue writes")):
        print(
            f"{label:<18}{raw[kind + '_exec']:>10.0f}{raw[kind + '_block']:>10.0f}"
            f"{flat[kind + '_exec']:>11.0f}{flat[kind + '_block']:>10.0f}{node[kind]:>9.0f}"
            f"{node[kind] / raw[kind + '_exec']:>13.2f}"
        )
    print(
        f"{'reads (call)':<18}{raw['read']:>10.0f}{'':>10}{flat['read']:>11.0f}{'':>10}"
        f"{node['read']:>9.0f}{node['read'] / raw['read']:>13.2f}"
    )


if __name__ == "__main__":
    main()
