"""``alliance provider-sim`` as an operator runs it: a foreground process answering queries."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests

from gateway.crypto.keyfiles import write_private_key
from gateway.crypto.signing import address_of
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.providers import protocol
from gateway.providers.samples import sample_queries

ALLIANCE = [sys.executable, "-m", "gateway.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_provider_sim_serves_signed_answers_until_terminated(tmp_path: Path) -> None:
    key = Sm2PrivateKey.generate()
    key_file = write_private_key(tmp_path / "nrd.pem", key)
    port = free_port()
    process = subprocess.Popen(
        [*ALLIANCE, "provider-sim", "--member", "NRD", "--port", str(port), "--key", str(key_file)],
        env={
            **os.environ,
            "ALLIANCE_DATA_DIR": str(tmp_path / "var"),
            "ALLIANCE_LOG_FORMAT": "text",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        started = json.loads(process.stdout.readline())
        (simulator,) = started["simulators"]
        assert simulator == {
            "member": "NRD",
            "url": f"http://127.0.0.1:{port}",
            "key_id": address_of(key.public_key),
            "entries": {"NRD-TITLE": "/api/title-inquiry"},
        }
        query = next(q for q in sample_queries() if q["entry_id"] == "NRD-TITLE")
        body = {
            "request_id": "cli-1",
            **{k: query[k] for k in ("entry_id", "consumer", "purpose", "params")},
        }
        response = requests.post(simulator["url"] + "/api/title-inquiry", json=body, timeout=10)
        assert response.status_code == 200
        answer = response.json()
        assert (
            answer["request_id"] == "cli-1"
            and answer["data"]["unit_number"] == query["params"]["unit_number"]
        )
        assert protocol.verify(
            key.public_key,
            answer,
            response.headers[protocol.TIMESTAMP_HEADER],
            response.headers[protocol.SIGNATURE_HEADER],
        )
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0
    (line,) = [json.loads(entry) for entry in stderr.splitlines() if entry.startswith("{")]
    assert (
        line["status"] == 200 and line["request_id"] == "cli-1" and line["entry_id"] == "NRD-TITLE"
    )


def test_provider_sim_without_key_fails_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [*ALLIANCE, "provider-sim", "--member", "NRD", "--port", "0"],
        env={**os.environ, "ALLIANCE_DATA_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no key file for NRD" in result.stderr and "Traceback" not in result.stderr


def test_provider_sim_needs_member_or_all(tmp_path: Path) -> None:
    result = subprocess.run(
        [*ALLIANCE, "provider-sim"],
        env={**os.environ, "ALLIANCE_DATA_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "--member" in result.stderr


def test_provider_sim_rejects_a_malformed_gateway_key(tmp_path: Path) -> None:
    key_file = write_private_key(tmp_path / "nrd.pem", Sm2PrivateKey.generate())
    result = subprocess.run(
        [*ALLIANCE, "provider-sim", "--member", "NRD", "--key", str(key_file),
         "--gateway-public-key", "04abcd"],
        env={**os.environ, "ALLIANCE_DATA_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "--gateway-public-key" in result.stderr
