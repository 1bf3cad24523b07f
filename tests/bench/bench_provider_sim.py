"""Provider simulator latency next to a bare server answering a fixed body, in one run.

Run: .venv/bin/python tests/bench/bench_provider_sim.py [--requests 500]

The baseline is werkzeug's threaded server returning a fixed JSON body over the same loopback
connection reuse, so the ratio is the simulator's own cost: envelope checks, parameter checks,
look-up, canonical JSON and one SM2 signature per answer (plus one verification per request
when a gateway key is configured). Also times building the dataset.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import requests

from gateway.crypto.canonical import canonical_json
from gateway.crypto.keyfiles import write_private_key
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.providers import protocol
from gateway.providers.dataset import build_dataset
from gateway.providers.runner import SimulatorServer, build_simulator, running_simulators
from gateway.providers.samples import sample_queries


def fixed_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = b'{"data":{},"request_id":"x"}'
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def timed(
    session: requests.Session, url: str, body: bytes, headers: dict[str, str], n: int
) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = session.post(url, data=body, headers=headers, timeout=10)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return samples


def report(name: str, samples: list[float], baseline: float) -> None:
    median = statistics.median(samples)
    p95 = sorted(samples)[int(len(samples) * 0.95)]
    print(
        f"{name:<30} median {median * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms"
        f"  x{median / baseline:4.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    n = parser.parse_args().requests

    started = time.perf_counter()
    build_dataset.__wrapped__(2026)
    print(f"dataset build (seed 2026)          {time.perf_counter() - started:.3f} s")

    query = next(q for q in sample_queries() if q["entry_id"] == "NRD-TITLE")
    body = {
        "request_id": "bench",
        **{k: query[k] for k in ("entry_id", "consumer", "purpose", "params")},
    }
    raw = canonical_json(body)
    gateway = Sm2PrivateKey.generate()
    with tempfile.TemporaryDirectory() as directory:
        key_dir = Path(directory)
        write_private_key(key_dir / "NRD-sm2.pem", Sm2PrivateKey.generate())
        baseline_app = build_simulator("NRD", Sm2PrivateKey.generate())
        baseline_server = SimulatorServer.start(baseline_app, "127.0.0.1", 0)
        baseline_server.server.app = fixed_app  # same server class, trivial app
        try:
            with requests.Session() as session:
                base = timed(session, baseline_server.url + "/", raw, {}, n)
        finally:
            baseline_server.stop()
        baseline = statistics.median(base)
        report("baseline: fixed body", base, baseline)
        with running_simulators(["NRD"], key_dir) as urls, requests.Session() as session:
            report(
                "NRD-TITLE, unsigned request",
                timed(session, urls["NRD"] + "/api/title-inquiry", raw, {}, n),
                baseline,
            )
        with (
            running_simulators(["NRD"], key_dir, gateway_public_key=gateway.public_key) as urls,
            requests.Session() as session,
        ):
            samples = []
            for _ in range(n):
                headers = protocol.signature_headers(gateway, body)
                samples += timed(session, urls["NRD"] + "/api/title-inquiry", raw, headers, 1)
            report("NRD-TITLE, signed request", samples, baseline)


if __name__ == "__main__":
    main()
