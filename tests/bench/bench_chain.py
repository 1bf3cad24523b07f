"""Chain client benchmark: signed FISCO BCOS 2.x SM2 transactions built per second.

Run:  .venv/bin/python tests/bench/bench_chain.py [--seconds 2] [--rounds 3]

Both sides build the very same transaction in the same run: fresh 256-bit nonce, RLP of the
10 fields, SM3 signing hash, SM2 signature over SM3(Z_A || hash) (GB/T 32918, default user
ID), 13-item RLP with the 64-byte public key as ``v``, SM3 transaction hash. Ours signs with
:mod:`gateway.crypto`; the baseline signs with the pure-Python PyPI ``gmssl`` (``CryptSM2.sign``
over the same ``e``, with a CSPRNG ``k``), everything else being equal. Each baseline
transaction is checked to verify, so the comparison is like for like. Rates use process CPU
time; each figure is the best of ``--rounds`` alternating rounds.

Goal (docs/benchmarks.md): ours >= 10x the gmssl baseline.
"""

from __future__ import annotations

import argparse
import secrets
import time
from collections.abc import Callable

from gmssl import sm2 as pypi_gmssl_sm2

from gateway.chain.suite import SM_SUITE
from gateway.chain.tx.v2 import (
    TransactionFieldsV2,
    decode_raw_transaction,
    encode_signed,
    encode_unsigned,
    random_nonce,
    sign_transaction,
)
from gateway.crypto.backend import describe
from gateway.crypto.hashing import sm3
from gateway.crypto.sm2 import Sm2PrivateKey

SM2_N = SM_SUITE.curve_order
CALLDATA = bytes.fromhex(
    "3590b49f0000000000000000000000000000000000000000000000000000000000000020"
    "00000000000000000000000000000000000000000000000000000000000000207b226163"
    "636573735f6964223a22613162326333222c22646967657374223a22307861627d000000"
)


def fields() -> TransactionFieldsV2:
    return TransactionFieldsV2(
        nonce=random_nonce(),
        gas_price=30_000_000,
        gas_limit=30_000_000,
        block_limit=1_000_500,
        to=bytes.fromhex("882be29b2d5ac85d6c476fa3fd5f0cae4b4585cc"),
        value=0,
        data=CALLDATA,
        chain_id=1,
        group_id=1,
        extra_data=b"",
    )


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per CPU second of this process."""
    count = 0
    start = time.process_time()
    deadline = start + seconds
    while True:
        operation()
        count += 1
        now = time.process_time()
        if now >= deadline:
            return count / (now - start)


def make_ours(key: Sm2PrivateKey) -> Callable[[], bytes]:
    def build() -> bytes:
        return sign_transaction(fields(), SM_SUITE, key).raw

    return build


def make_baseline(key: Sm2PrivateKey) -> Callable[[], bytes]:
    public_key = key.public_key.to_bytes()
    signer = pypi_gmssl_sm2.CryptSM2(private_key=key.to_bytes().hex(), public_key=public_key.hex())
    z_a = key.public_key.z_value()

    def build() -> bytes:
        tx_fields = fields()
        signing_hash = sm3(encode_unsigned(tx_fields))
        e = sm3(z_a + signing_hash)
        signature = None
        while signature is None:  # gmssl returns None for the rare unusable k
            signature = signer.sign(e, f"{secrets.randbelow(SM2_N - 1) + 1:064x}")
        r, s = int(signature[:64], 16), int(signature[64:], 16)
        raw = encode_signed(tx_fields, public_key, r, s, SM_SUITE)
        sm3(raw)  # the transaction hash, as ours computes it
        return raw

    return build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    print(f"SM2 signing backend: {describe()['sm2_sign_backend']}")
    key = Sm2PrivateKey.generate()
    ours, baseline = make_ours(key), make_baseline(key)
    for build in (ours, baseline):
        decoded = decode_raw_transaction(build(), SM_SUITE)
        if not decoded.signature_valid:
            raise SystemExit("a benchmarked transaction does not verify")

    best_ours = best_baseline = 0.0
    for _ in range(args.rounds):
        best_ours = max(best_ours, rate(ours, args.seconds))
        best_baseline = max(best_baseline, rate(baseline, args.seconds))
    print(f"ours, gateway.chain + gateway.crypto:   {best_ours:10.0f} signed SM2 tx/s")
    print(f"baseline, pure-Python gmssl signing:   {best_baseline:10.0f} signed SM2 tx/s")
    print(f"ratio: {best_ours / best_baseline:.1f}x (goal >= 10x)")


if __name__ == "__main__":
    main()
