"""The HTTP transport against a loopback server replaying documented node responses."""

from __future__ import annotations

import datetime
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway.chain.client import ChainClient
from gateway.chain.errors import (
    ChainUnavailable,
    ReceiptTimeout,
    ResponseFormatError,
    RpcError,
    RpcTimeout,
)
from gateway.chain.suite import ECDSA_SUITE, SM_SUITE
from gateway.chain.transport.base import Transport
from gateway.chain.transport.http import HttpTransport, TlsOptions
from gateway.chain.transport.retry import RetryingTransport, RetryPolicy


def _body(request: dict[str, Any], response: dict[str, Any]) -> tuple[int, bytes]:
    return 200, json.dumps({**response, "id": request["id"]}).encode()


def _examples_by_method(examples: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for example in examples:
        response = example.get("response")
        if isinstance(response, dict) and "result" in response:
            table.setdefault(example["method"], response)
    return table


def test_http_transport_is_a_transport(replay_server: Any) -> None:
    assert isinstance(HttpTransport(replay_server.url), Transport)


@pytest.mark.parametrize("version", [2, 3])
def test_every_documented_response_replays_through_http(
    replay_server: Any, rpc2_examples: Any, rpc3_examples: Any, version: int
) -> None:
    examples = rpc2_examples if version == 2 else rpc3_examples
    replayable = [e for e in examples if isinstance(e.get("response"), dict)]
    queue = list(replayable)
    replay_server.set_responder(lambda request: _body(request, queue.pop(0)["response"]))
    with HttpTransport(replay_server.url, timeout=5) as transport:
        for example in replayable:
            response = example["response"]
            if "error" in response:
                with pytest.raises(RpcError) as info:
                    transport.request(example["method"], [])
                assert info.value.rpc_code == response["error"]["code"]
            else:
                assert transport.request(example["method"], []) == response["result"]
    assert [r["method"] for r in replay_server.received] == [e["method"] for e in replayable]
    assert all(r["jsonrpc"] == "2.0" for r in replay_server.received)
    ids = [r["id"] for r in replay_server.received]
    assert ids == sorted(set(ids))


def test_v2_client_over_http(replay_server: Any, rpc2_examples: Any) -> None:
    table = _examples_by_method(rpc2_examples)
    replay_server.set_responder(lambda request: _body(request, table[request["method"]]))
    with HttpTransport(replay_server.url) as transport:
        client = ChainClient(transport, ECDSA_SUITE)
        assert client.block_number() == 1
        status = client.status()
        assert client.rpc.total_transaction_count().transaction_count == 1
        assert client.rpc.system_config("tx_count_limit").value == "1000"
        assert client.rpc.sync_status().genesis_hash.startswith("0x4765a126")
        assert client.rpc.query("getPbftView") == 0x1A0
    assert (status.block_number, status.node_version, status.group) == (1, "2.0.0", 1)
    assert len(status.sealers) == 3
    params = {r["method"]: r["params"] for r in replay_server.received}
    assert params["getBlockNumber"] == [1]
    assert params["getClientVersion"] == []


def test_v3_client_over_http(replay_server: Any, rpc3_examples: Any) -> None:
    table = _examples_by_method(rpc3_examples)
    replay_server.set_responder(lambda request: _body(request, table[request["method"]]))
    with HttpTransport(replay_server.url) as transport:
        client = ChainClient(transport, SM_SUITE, "group0", fisco_version=3)
        status = client.status()
        assert client.rpc.total_transaction_count().transaction_count == 8
        assert client.rpc.system_config("tx_count_limit").block_number == 0
        assert client.rpc.sync_status().block_number == 7
        receipt = client.get_receipt("0x" + "ab" * 32)
    assert status.block_number == 8 and status.node_version == "3.3.0"
    assert status.group == "group0" and len(status.sealers) == 3
    assert receipt is not None and receipt.contract_address is not None
    params = {r["method"]: r["params"] for r in replay_server.received}
    assert params["getBlockNumber"] == ["group0", ""]
    assert params["getTransactionReceipt"] == ["group0", "", "0x" + "ab" * 32, False]


def test_null_receipt_before_commit_then_receipt(replay_server: Any, rpc2_examples: Any) -> None:
    receipt = _examples_by_method(rpc2_examples)["getTransactionReceipt"]
    answers = [{"jsonrpc": "2.0", "result": None}] * 2 + [receipt]
    replay_server.set_responder(lambda request: _body(request, answers.pop(0)))
    with HttpTransport(replay_server.url) as transport:
        client = ChainClient(transport, ECDSA_SUITE, poll_interval=0.01)
        tx_hash = receipt["result"]["transactionHash"]
        assert client.get_receipt(tx_hash) is None
        found = client.wait_for_receipt(tx_hash, timeout=5)
    assert found.transaction_hash == tx_hash
    assert len(replay_server.received) == 3


def test_receipt_timeout(replay_server: Any) -> None:
    replay_server.set_responder(lambda request: _body(request, {"jsonrpc": "2.0", "result": None}))
    with HttpTransport(replay_server.url) as transport:
        client = ChainClient(transport, ECDSA_SUITE, poll_interval=0.01)
        with pytest.raises(ReceiptTimeout) as info:
            client.wait_for_receipt("0x" + "11" * 32, timeout=0.1)
    assert info.value.tx_hash == "0x" + "11" * 32
    assert info.value.code == "receipt_timeout"
    assert len(replay_server.received) >= 2


def test_read_timeout_is_retried_then_raised(replay_server: Any) -> None:
    def slow(request: dict[str, Any]) -> tuple[int, bytes]:
        time.sleep(0.5)
        return _body(request, {"jsonrpc": "2.0", "result": "0x1"})

    replay_server.set_responder(slow)
    sleeps: list[float] = []
    with HttpTransport(replay_server.url, timeout=0.1) as transport:
        retrying = RetryingTransport(transport, RetryPolicy(attempts=3), sleep=sleeps.append)
        with pytest.raises(RpcTimeout):
            retrying.request("getBlockNumber", [1])
    assert sleeps == [0.2, 0.4]
    assert len(replay_server.received) == 3


def _refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_connection_refused_is_chain_unavailable() -> None:
    sleeps: list[float] = []
    with HttpTransport(_refused_url(), timeout=1) as transport:
        client = ChainClient(transport, ECDSA_SUITE, sleep=sleeps.append)
        with pytest.raises(ChainUnavailable) as info:
            client.block_number()
    assert info.value.code == "chain_unavailable"
    assert len(sleeps) == 2  # three attempts


def test_retry_succeeds_after_transient_failures(replay_server: Any) -> None:
    answers: list[tuple[int, bytes]] = [(503, b"busy"), (502, b"<html>")]

    def flaky(request: dict[str, Any]) -> tuple[int, bytes]:
        if answers:
            return answers.pop(0)
        return _body(request, {"jsonrpc": "2.0", "result": "0x2a"})

    replay_server.set_responder(flaky)
    with HttpTransport(replay_server.url) as transport:
        client = ChainClient(transport, ECDSA_SUITE, sleep=lambda _: None)
        assert client.block_number() == 42


def test_rpc_errors_are_not_retried(replay_server: Any) -> None:
    error = {"jsonrpc": "2.0", "error": {"code": -40001, "message": "GroupID does not exist"}}
    replay_server.set_responder(lambda request: _body(request, error))
    with HttpTransport(replay_server.url) as transport:
        client = ChainClient(transport, ECDSA_SUITE, 9, sleep=lambda _: None)
        with pytest.raises(RpcError) as info:
            client.block_number()
    assert info.value.rpc_code == -40001
    assert len(replay_server.received) == 1


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (404, b"not found", ResponseFormatError),
        (200, b"[1, 2]", ResponseFormatError),
        (200, b'{"jsonrpc": "2.0"}', ResponseFormatError),
        (200, b'{"error": {"message": "no code"}}', ResponseFormatError),
        (500, b'{"jsonrpc": "2.0"}', ChainUnavailable),
        (500, b"oops", ChainUnavailable),
    ],
)
def test_malformed_responses(replay_server: Any, status: int, body: bytes, error: type) -> None:
    replay_server.set_responder(lambda request: (status, body))
    with HttpTransport(replay_server.url) as transport, pytest.raises(error):
        transport.request("getBlockNumber", [1])


def test_rpc_error_on_http_500_keeps_its_code(replay_server: Any) -> None:
    error = {"jsonrpc": "2.0", "error": {"code": -32603, "message": "internal", "data": {"x": 1}}}
    replay_server.set_responder(lambda request: (500, json.dumps(error).encode()))
    with HttpTransport(replay_server.url) as transport, pytest.raises(RpcError) as info:
        transport.request("sendRawTransaction", [1, "0x00"])
    assert (info.value.rpc_code, info.value.data) == (-32603, {"x": 1})


# -- TLS (3.x RPC has mutual TLS on by default) -------------------------------------------


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name | None, signer: Any, ca: bool
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(signer, hashes.SHA256())


def _write(path: Path, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> tuple[str, str]:
    key_path, cert_path = path.with_suffix(".key"), path.with_suffix(".crt")
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_node(tmp_path: Path) -> Any:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate("chain-ca", ca_key, None, ca_key, ca=True)
    ca_file, _ = _write(tmp_path / "ca", ca_key, ca_cert)
    files = {}
    for name in ("ssl", "sdk"):
        key = ec.generate_private_key(ec.SECP256R1())
        files[name] = _write(
            tmp_path / name, key, _certificate(name, key, ca_cert.subject, ca_key, False)
        )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            body = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": 8}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*files["ssl"])
    context.load_verify_locations(ca_file)
    context.verify_mode = ssl.CERT_REQUIRED
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", ca_file, files["sdk"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_mutual_tls_with_chain_ca_and_sdk_certificate(tls_node: Any) -> None:
    url, ca_file, (cert_file, key_file) = tls_node
    tls = TlsOptions(ca_file=ca_file, cert_file=cert_file, key_file=key_file)
    with HttpTransport(url, tls=tls) as transport:
        client = ChainClient(transport, SM_SUITE, fisco_version=3)
        assert client.block_number() == 8


def test_tls_without_the_chain_ca_or_client_certificate_fails(tls_node: Any) -> None:
    url, ca_file, _ = tls_node
    with HttpTransport(url, timeout=2) as transport, pytest.raises(ChainUnavailable):
        transport.request("getBlockNumber", ["group0", ""])
    no_client_cert = TlsOptions(ca_file=ca_file)
    with (
        HttpTransport(url, timeout=2, tls=no_client_cert) as transport,
        pytest.raises(ChainUnavailable),
    ):
        transport.request("getBlockNumber", ["group0", ""])


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(attempts=5, initial_backoff=1, multiplier=3, max_backoff=4)
    assert list(policy.delays()) == [1, 3, 4, 4]
    assert list(RetryPolicy(attempts=1).delays()) == []


class _Down:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def request(self, method: str, params: list[Any]) -> Any:
        self.calls.append(method)
        raise ChainUnavailable("down")


def test_only_read_methods_are_retried_by_the_transport() -> None:
    inner = _Down()
    retrying = RetryingTransport(inner, RetryPolicy(attempts=4), sleep=lambda _: None)
    with pytest.raises(ChainUnavailable):
        retrying.request("getTransactionReceipt", [1, "0x00"])
    with pytest.raises(ChainUnavailable):
        retrying.request("sendRawTransaction", [1, "0x00"])
    assert inner.calls == ["getTransactionReceipt"] * 4 + ["sendRawTransaction"]
