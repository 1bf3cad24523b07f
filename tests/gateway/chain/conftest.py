"""Fixtures for the chain client tests: shared FISCO vectors, an in-memory node, an HTTP replay
server bound to 127.0.0.1, and helpers to build contract artefacts."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gateway.chain.errors import RpcError
from gateway.chain.hexutil import hex_to_bytes, to_hex
from gateway.chain.suite import CryptoSuite
from gateway.chain.tx import v2, v3
from tests.vectors import load_vectors


@pytest.fixture(scope="session")
def abi_calldata() -> Any:
    return load_vectors("abi_calldata.json")


@pytest.fixture(scope="session")
def receipt_decoding() -> Any:
    return load_vectors("receipt_decoding.json")


@pytest.fixture(scope="session")
def rpc2_examples() -> list[dict[str, Any]]:
    return list(load_vectors("fisco2_rpc_examples.json"))


@pytest.fixture(scope="session")
def rpc3_examples() -> list[dict[str, Any]]:
    return list(load_vectors("fisco3_rpc_examples.json"))


# -- an in-memory FISCO node ---------------------------------------------------------------

Executor = Callable[[bytes, bytes], tuple[int, bytes, list[dict[str, Any]]]]


def _ok_executor(to: bytes, data: bytes) -> tuple[int, bytes, list[dict[str, Any]]]:
    return 0, b"", []


@dataclass
class FakeNode:
    """A Transport that behaves like one FISCO group: it decodes and verifies every
    transaction with the client's own codecs, enforces chain/group id and the blockLimit
    window, and returns receipts in the 2.x (hex, ``null`` until committed) or 3.x (int,
    ``logEntries``) shapes."""

    suite: CryptoSuite
    version: int = 2
    height: int = 10
    executor: Executor = _ok_executor
    call_handler: Callable[[str, bytes], tuple[int, bytes]] = lambda to, data: (0, b"")
    null_receipts_before_commit: int = 1
    failures: list[Exception] = field(default_factory=list)
    requests: list[tuple[str, list[Any]]] = field(default_factory=list)
    receipts: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending_polls: dict[str, int] = field(default_factory=dict)
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocks: dict[int, list[str]] = field(default_factory=dict)
    accepted: list[Any] = field(default_factory=list)

    def num(self, value: int) -> Any:
        return hex(value) if self.version == 2 else value

    def request(self, method: str, params: list[Any]) -> Any:
        self.requests.append((method, params))
        if self.failures:
            raise self.failures.pop(0)
        args = params[1:] if self.version == 2 else params[2:]
        handler = getattr(self, f"rpc_{method}")
        return handler(*args)

    def rpc_getBlockNumber(self) -> Any:
        return self.num(self.height)

    def rpc_getClientVersion(self) -> Any:
        return {"FISCO-BCOS Version": "2.9.1", "Chain Id": "1"}

    def rpc_getSealerList(self) -> Any:
        return ["ab" * 64]

    def _commit(self, tx_hash: str, sender: bytes, to: bytes, data: bytes) -> dict[str, Any]:
        status, output, logs = self.executor(to, data)
        self.height += 1
        self.blocks.setdefault(self.height, []).append(tx_hash)
        address = to_hex(self.suite.hash(sender + data)[:20]) if not to else "0x" + "00" * 20
        receipt: dict[str, Any] = {
            "transactionHash": tx_hash,
            "blockNumber": self.num(self.height),
            "status": self.num(status),
            "output": to_hex(output),
            "from": to_hex(sender),
            "to": to_hex(to) if to else ("" if self.version == 3 else None),
            "contractAddress": address if self.version == 2 or not to else "",
            "gasUsed": hex(21000) if self.version == 2 else "21000",
            ("logs" if self.version == 2 else "logEntries"): [
                {**log, "address": log.get("address", to_hex(to))} for log in logs
            ],
        }
        if self.version == 2:
            receipt["blockHash"] = to_hex(self.suite.hash(str(self.height).encode()))
            receipt["transactionIndex"] = "0x0"
        self.receipts[tx_hash] = receipt
        self.transactions[tx_hash] = {"hash": tx_hash, "from": to_hex(sender), "nonce": "0x1"}
        return receipt

    def rpc_sendRawTransaction(self, raw_hex: str) -> str:
        tx = v2.decode_raw_transaction(hex_to_bytes(raw_hex), self.suite)
        tx_hash = to_hex(tx.tx_hash)
        if tx_hash in self.transactions:
            raise RpcError(-32603, "TransactionAlreadyKown")
        if not tx.signature_valid:
            raise RpcError(-32603, "InvalidSignature")
        if not self.height < tx.fields.block_limit <= self.height + 1000:
            raise RpcError(-32603, "BlockLimitCheckFailed")
        self.accepted.append(tx)
        self._commit(tx_hash, tx.sender, tx.fields.to, tx.fields.data)
        self.pending_polls[tx_hash] = self.null_receipts_before_commit
        return tx_hash

    def rpc_sendTransaction(self, raw_hex: str, proof: bool) -> Any:
        tx = v3.decode_transaction(hex_to_bytes(raw_hex), self.suite)
        tx_hash = to_hex(tx.tx_hash)
        if tx_hash in self.transactions:
            raise RpcError(10005, "TxAlreadyInChain")
        if not tx.signature_valid:
            raise RpcError(10008, "InvalidSignature")
        if not self.height < tx.data.block_limit <= self.height + 600:
            raise RpcError(10001, "BlockLimitCheckFail")
        self.accepted.append(tx)
        to = hex_to_bytes(tx.data.to) if tx.data.to else b""
        return self._commit(tx_hash, tx.sender, to, tx.data.input)

    def rpc_getTransactionReceipt(self, tx_hash: str, *proof: bool) -> Any:
        remaining = self.pending_polls.get(tx_hash, 0)
        if remaining > 0:
            self.pending_polls[tx_hash] = remaining - 1
            return None
        return self.receipts.get(tx_hash)

    def rpc_getTransactionByHash(self, tx_hash: str) -> Any:
        return self.transactions.get(tx_hash)

    def rpc_getTransaction(self, tx_hash: str, proof: bool) -> Any:
        return self.transactions.get(tx_hash)

    def rpc_getBlockByNumber(self, number: Any, *flags: bool) -> Any:
        height = int(number, 16) if isinstance(number, str) else number
        if height > self.height:
            return None
        return {
            "number": self.num(height),
            "hash": to_hex(self.suite.hash(str(height).encode())),
            "transactions": self.blocks.get(height, []),
            "timestamp": self.num(1_700_000_000_000 + height),
        }

    def rpc_call(self, *args: Any) -> Any:
        if self.version == 2:
            request = args[0]
            to, data = request["to"], hex_to_bytes(request["data"])
        else:
            to, data = args[0], hex_to_bytes(args[1])
        status, output = self.call_handler(to, data)
        key = "currentBlockNumber" if self.version == 2 else "blockNumber"
        return {key: self.num(self.height), "output": to_hex(output), "status": self.num(status)}


@pytest.fixture
def fake_node_class() -> type[FakeNode]:
    return FakeNode


# -- an HTTP JSON-RPC server on loopback --------------------------------------------------

Responder = Callable[[dict[str, Any]], tuple[int, bytes]]


@dataclass
class ReplayServer:
    """Answers each POSTed JSON-RPC request through ``responder`` (status, body)."""

    url: str
    received: list[dict[str, Any]]
    set_responder: Callable[[Responder], None]


def json_rpc_body(request: dict[str, Any], response: dict[str, Any]) -> bytes:
    return json.dumps({**response, "id": request.get("id")}).encode()


@pytest.fixture
def replay_server() -> Iterator[ReplayServer]:
    received: list[dict[str, Any]] = []
    state: dict[str, Responder] = {"responder": lambda req: (200, b"{}")}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length))
            received.append(request)
            status, body = state["responder"](request)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()

    def set_responder(responder: Responder) -> None:
        state["responder"] = responder

    try:
        yield ReplayServer(f"http://127.0.0.1:{server.server_address[1]}", received, set_responder)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
