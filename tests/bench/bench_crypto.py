"""Cryptography benchmark: SM2 sign/verify and SM3 throughput against baselines measured in
the same run (``openssl speed`` and the pure-Python PyPI ``gmssl``).

Run:  .venv/bin/python tests/bench/bench_crypto.py [--seconds 2] [--rounds 3]

Single-thread rates use process CPU time, as ``openssl speed`` does by default (it divides by
user CPU time), so a busy machine slows both sides alike. Each round measures ours and
``openssl speed`` back to back; the ratios reported are the medians of the per-round ratios,
the rates the best round. The thread-scaling figure uses wall-clock time.

Goals (docs/benchmarks.md): sign ≥ 1.2× and verify ≥ 0.9× ``openssl speed sm2``; both ≥ 15×
the pure-Python reference; verification throughput grows from 1 to 2 threads.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import threading
import time
from collections.abc import Callable

from gmssl import sm2 as pypi_gmssl_sm2

from gateway.crypto.backend import describe
from gateway.crypto.hashing import sm3
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey

MESSAGE = b"alliance-gateway benchmark message: a canonical JSON request digest goes here"


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per CPU second of this process."""
    count = 0
    start = time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(20):
            operation()
        count += 20
        now = time.process_time()
        if now >= deadline:
            return count / (now - start)


def openssl_speed_sm2(seconds: int) -> tuple[float, float]:
    output = subprocess.run(
        ["openssl", "speed", "-seconds", str(seconds), "sm2"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"SM2 \(CurveSM2\)\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"unexpected openssl speed output:\n{output}")
    return float(match.group(1)), float(match.group(2))


def openssl_speed_sm3(seconds: int) -> float:
    """MB/s (10^6 bytes) for 16 KiB blocks."""
    output = subprocess.run(
        ["openssl", "speed", "-seconds", str(seconds), "-bytes", "16384", "-evp", "sm3"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"^sm3\s+([\d.]+)k", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"unexpected openssl speed output:\n{output}")
    return float(match.group(1)) * 1000 / 1e6


def sm3_rate(seconds: float) -> float:
    block = os.urandom(16384)
    per_second = rate(lambda: sm3(block), seconds)
    return per_second * len(block) / 1e6


def threaded_verify_rate(
    public: Sm2PublicKey, signature: object, workers: int, seconds: float
) -> tuple[float, float]:
    """(verifications per wall-clock second, CPU seconds used per wall second) with
    ``workers`` threads sharing one key. CPU/wall near the worker count shows the threads
    really ran in parallel, even when other load on the machine hides it in the rate."""
    counts = [0] * workers
    stop = time.perf_counter() + seconds

    def work(index: int) -> None:
        done = 0
        while time.perf_counter() < stop:
            for _ in range(10):
                public.verify(MESSAGE, signature)  # type: ignore[arg-type]
            done += 10
        counts[index] = done

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    cpu_start = time.process_time()
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    return sum(counts) / wall, (time.process_time() - cpu_start) / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    seconds = args.seconds

    info = describe()
    print(f"backends: sign={info['sm2_sign_backend']} verify={info['sm2_verify_backend']}")
    print(f"libcrypto: {info['openssl_version']}; gmssl-pyx {info['gmssl_pyx_version']}")
    print(f"cpus: {os.cpu_count()}  seconds/measure: {seconds}  rounds: {args.rounds}")

    key = Sm2PrivateKey.generate()
    while key.public_key.to_bytes().hex().startswith("04"):  # PyPI gmssl lstrip("04") defect
        key = Sm2PrivateKey.generate()
    public = Sm2PublicKey.from_bytes(key.public_key.to_bytes())
    signature = key.sign(MESSAGE)
    assert public.verify(MESSAGE, signature)

    reference = pypi_gmssl_sm2.CryptSM2(
        private_key=key.to_bytes().hex(), public_key=public.to_bytes().hex()
    )
    reference_signature = reference.sign_with_sm3(MESSAGE)
    assert reference.verify_with_sm3(reference_signature, MESSAGE)
    assert reference.verify_with_sm3(signature.to_raw().hex(), MESSAGE)

    best: dict[str, float] = {}

    def keep(name: str, value: float) -> None:
        best[name] = max(best.get(name, 0.0), value)

    sign_ratios: list[float] = []
    verify_ratios: list[float] = []
    for _ in range(args.rounds):
        # ours, then openssl speed (sign then verify), then ours: each ratio compares
        # measurements taken next to each other, so shared load affects both sides alike.
        ours_sign = rate(lambda: key.sign(MESSAGE), seconds)
        openssl_sign, openssl_verify = openssl_speed_sm2(seconds)
        ours_verify = rate(lambda: public.verify(MESSAGE, signature), seconds)
        sign_ratios.append(ours_sign / openssl_sign)
        verify_ratios.append(ours_verify / openssl_verify)
        keep("sign", ours_sign)
        keep("verify", ours_verify)
        keep("openssl_sign", openssl_sign)
        keep("openssl_verify", openssl_verify)
        keep("sm3", sm3_rate(seconds))
        keep("openssl_sm3", openssl_speed_sm3(seconds))
    keep("pure_sign", rate(lambda: reference.sign_with_sm3(MESSAGE), seconds))
    keep(
        "pure_verify",
        rate(lambda: reference.verify_with_sm3(reference_signature, MESSAGE), seconds),
    )
    one, one_cpu = threaded_verify_rate(public, signature, 1, seconds)
    two, two_cpu = threaded_verify_rate(public, signature, 2, seconds)

    print()
    print(f"{'SM2 (ops per CPU second, best round)':<40}{'sign/s':>10}{'verify/s':>11}")
    rows = [
        ("alliance-gateway (fast backends)", best["sign"], best["verify"]),
        ("openssl speed sm2", best["openssl_sign"], best["openssl_verify"]),
        ("PyPI gmssl 3.2.2 (pure Python)", best["pure_sign"], best["pure_verify"]),
    ]
    for name, sign_rate, verify_rate in rows:
        print(f"{name:<40}{sign_rate:>10.0f}{verify_rate:>11.0f}")
    sign_vs_openssl = statistics.median(sign_ratios)
    verify_vs_openssl = statistics.median(verify_ratios)
    sign_vs_pure = best["sign"] / best["pure_sign"]
    verify_vs_pure = best["verify"] / best["pure_verify"]
    print()
    print(
        f"sign   vs openssl speed: {sign_vs_openssl:5.2f}x median of "
        f"{', '.join(f'{r:.2f}' for r in sign_ratios)}  (goal >= 1.2)  "
        f"{'ok' if sign_vs_openssl >= 1.2 else 'MISSED'}"
    )
    print(
        f"verify vs openssl speed: {verify_vs_openssl:5.2f}x median of "
        f"{', '.join(f'{r:.2f}' for r in verify_ratios)}  (goal >= 0.9)  "
        f"{'ok' if verify_vs_openssl >= 0.9 else 'MISSED'}"
    )
    print(
        f"sign   vs pure Python:   {sign_vs_pure:5.1f}x  (goal >= 15)  "
        f"{'ok' if sign_vs_pure >= 15 else 'MISSED'}"
    )
    print(
        f"verify vs pure Python:   {verify_vs_pure:5.1f}x  (goal >= 15)  "
        f"{'ok' if verify_vs_pure >= 15 else 'MISSED'}"
    )
    print()
    print(
        f"verify, wall clock: 1 thread {one:.0f}/s (CPU/wall {one_cpu:.2f}), "
        f"2 threads {two:.0f}/s (CPU/wall {two_cpu:.2f}): {two / one:.2f}x"
    )
    print(f"machine load average: {os.getloadavg()[0]:.2f} (other load hides thread scaling)")
    print()
    print(
        f"SM3, 16 KiB blocks: {best['sm3']:.0f} MB/s vs openssl speed sm3 "
        f"{best['openssl_sm3']:.0f} MB/s ({best['sm3'] / best['openssl_sm3']:.2f}x)"
    )


if __name__ == "__main__":
    main()
