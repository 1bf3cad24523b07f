"""kill -9 of the gateway under load: every answered request ends up anchored, none twice."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.bootstrap import build_container
from gateway.evidence.tables import AccessRecordRow, AnchorRow
from gateway.providers.runner import running_simulators
from gateway.providers.samples import sample_queries
from gateway.settings import Settings
from tests.alliance_support import point_members_at


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gateway_process(settings: Settings, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "ALLIANCE_DATA_DIR": str(settings.data_dir),
        "ALLIANCE_LOG_FORMAT": "text",
        "ALLIANCE_CHAIN_DEVNODE_BLOCK_INTERVAL": "0.02",
        "ALLIANCE_EVIDENCE_INTERVAL_SECONDS": "0.2",
        "ALLIANCE_PROVIDERS_SIMULATE": "false",
        "ALLIANCE_OAUTH_API_RATE_LIMIT": "100000/minute",
        "ALLIANCE_OAUTH_TOKEN_RATE_LIMIT": "100000/minute",
    }
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the gateway did not start"
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


@pytest.mark.slow
def test_kill_9_under_load_loses_and_duplicates_no_evidence(
    seeded_settings: Settings, tmp_path: Path
) -> None:
    samples = [
        q for q in sample_queries() if q["entry_id"] in ("NRD-TITLE", "TAX-DEED", "ECERT-VERIFY")
    ]
    credentials = {
        q["consumer"]: json.loads(
            (seeded_settings.data_dir / "credentials" / f"{q['consumer']}.json").read_text()
        )
        for q in samples
    }
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    answered: list[str] = []
    stop = threading.Event()

    def load(worker: int) -> None:
        session = requests.Session()
        tokens: dict[str, str] = {}
        index = worker
        while not stop.is_set():
            sample = samples[index % len(samples)]
            index += 1
            try:
                consumer = sample["consumer"]
                if consumer not in tokens:
                    cred = credentials[consumer]
                    tokens[consumer] = session.post(
                        base + "/oauth/token",
                        data={"grant_type": "client_credentials"},
                        auth=(cred["client_id"], cred["client_secret"]),
                        timeout=5,
                    ).json()["access_token"]
                response = session.post(
                    f"{base}/api/v1/query/{sample['entry_id']}",
                    json={"purpose": sample["purpose"], "params": sample["params"]},
                    headers={"Authorization": f"Bearer {tokens[consumer]}"},
                    timeout=10,
                )
                if response.status_code == 200:
                    answered.append(response.json()["request_id"])
            except (requests.RequestException, ValueError, KeyError):
                time.sleep(0.05)

    log = tmp_path / "gateway.log"
    with running_simulators(None, seeded_settings.data_dir / "credentials") as urls:
        container = build_container(seeded_settings)
        point_members_at(container, urls)
        container.close()
        with gateway_process(seeded_settings, port, log) as process:
            workers = [threading.Thread(target=load, args=(i,)) for i in range(4)]
            for worker in workers:
                worker.start()
            deadline = time.monotonic() + 30
            while len(answered) < 40 and time.monotonic() < deadline:
                time.sleep(0.1)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            stop.set()
            for worker in workers:
                worker.join()
        before_restart = list(answered)
        assert len(before_restart) >= 40, log.read_text()[-3000:]

        with gateway_process(seeded_settings, port, log):
            container = build_container(seeded_settings)
            try:
                deadline = time.monotonic() + 60
                while True:
                    with Session(container.engine) as session:
                        rows = {
                            row.request_id: row
                            for row in session.scalars(
                                select(AccessRecordRow).where(
                                    AccessRecordRow.request_id.in_(before_restart)
                                )
                            )
                        }
                        anchors = {a.id: a for a in session.scalars(select(AnchorRow))}
                    done = [
                        r
                        for r in rows.values()
                        if r.anchor_id is not None and anchors[r.anchor_id].status == "anchored"
                    ]
                    if len(done) == len(before_restart) or time.monotonic() > deadline:
                        break
                    time.sleep(0.3)
                assert set(rows) == set(before_restart), "an answered request has no record"
                assert len(done) == len(before_restart), "answered requests not anchored"
                with Session(container.engine) as session:
                    sequences = sorted(
                        s
                        for s in session.scalars(select(AccessRecordRow.sequence))
                        if s is not None
                    )
                    anchored = list(
                        session.scalars(select(AnchorRow).order_by(AnchorRow.first_sequence))
                    )
                assert sequences == list(range(1, len(sequences) + 1)), (
                    "sequences must be 1..n, each once"
                )
                ledger = container.chain.contract("EvidenceLedger")
                assert ledger.call("lastSequence") == sequences[-1]
                assert ledger.call("batchCount") == len(
                    [a for a in anchored if a.prev_root != "direct"]
                )
                for anchor in anchored:
                    _index, count, first, last, *_ = ledger.call(
                        "batchByRoot", bytes.fromhex(anchor.root[2:])
                    )
                    assert (count, first, last) == (
                        anchor.count,
                        anchor.first_sequence,
                        anchor.last_sequence,
                    )
            finally:
                container.close()
