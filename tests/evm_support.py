"""A real EVM node for tests: Hardhat Network from ``tests/evmnode`` on a free loopback port.

``npm --prefix tests/evmnode ci`` (run by ``tests/run-all.sh``) installs it; nothing is
downloaded while tests run and nothing is compiled (the committed artefacts are deployed).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

EVMNODE = Path(__file__).resolve().parent / "evmnode"
CHAIN_ID = 31337


@dataclass(frozen=True)
class EvmNode:
    url: str
    chain_id: int

    def rpc(self, method: str, params: list[object]) -> object:
        answer = requests.post(
            self.url,
            json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
            timeout=10,
        ).json()
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["result"]

    def fund(self, address: str, wei: int = 10**24) -> None:
        """Hardhat's ``hardhat_setBalance``: gas money for a gateway account."""
        self.rpc("hardhat_setBalance", [address, hex(wei)])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def hardhat_node() -> Iterator[EvmNode]:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed: no EVM node to test the EVM adapter against")
    binary = EVMNODE / "node_modules" / "hardhat" / "internal" / "cli" / "bootstrap.js"
    if not binary.is_file():
        pytest.fail("Hardhat is not installed: run `npm --prefix tests/evmnode ci`")
    port = _free_port()
    env = dict(os.environ, HARDHAT_DISABLE_TELEMETRY_PROMPT="true", CI="true")
    process = subprocess.Popen(
        [node, str(binary), "node", "--hostname", "127.0.0.1", "--port", str(port)],
        cwd=EVMNODE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.post(
                    url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=1
                )
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"Hardhat node did not start (exit {process.poll()})")
                time.sleep(0.2)
        yield EvmNode(url, CHAIN_ID)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
