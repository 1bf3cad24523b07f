"""Gas per operation of the alliance contracts, with direct per-record anchoring as the baseline.

The evidence design anchors Merkle roots in batches instead of one transaction per access; this
measures what that saves on chain. Every figure is the ``gasUsed`` of a real receipt from a
devnode served over HTTP (SM2/SM3 suite), for both builds (solc 0.6.10 and 0.8.11).

* baseline: ``EvidenceLedger.anchorRecord`` — one transaction per evidence record;
* ``anchorBatch`` of N records — one transaction whatever N, so gas per record falls as 1/N;
* the other state-changing operations the gateway sends, for sizing a chain's gas limits.

Usage: .venv/bin/python tests/bench/bench_contract_gas.py
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from gateway.chain.artifact import ContractArtifact
from gateway.chain.client import ChainClient
from gateway.chain.contract import Contract
from gateway.chain.suite import SM_SUITE
from gateway.chain.transport.http import HttpTransport
from gateway.devnode.testing import running_devnode

BUILD_DIR = Path(__file__).resolve().parents[2] / "contracts" / "build"
BUILDS = ("solc-0.6.10", "solc-0.8.11")
DIRECT_SAMPLES = 20
BATCH_SIZES = (1, 100, 10_000)


def b32(text: str) -> bytes:
    return text.encode("ascii").ljust(32, b"\x00")


def digest(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


class Bench:
    def __init__(self, client: ChainClient, build: str) -> None:
        self.client = client
        self.build = build
        self.office = SM_SUITE.generate_key()

    def deploy(self, name: str, *args: Any) -> Contract:
        artefact = ContractArtifact.from_file(BUILD_DIR / self.build / f"{name}.json")
        return self.client.deploy(artefact, *args, key=self.office)

    def gas(self, contract: Contract, function: str, *args: Any, key: Any = None) -> int:
        return contract.transact(function, *args, key=key or self.office).gas_used

    def account(self) -> tuple[Any, bytes, str]:
        key = SM_SUITE.generate_key()
        public_key = SM_SUITE.public_key_of(key)
        return key, public_key, "0x" + SM_SUITE.address_of(public_key).hex()


def measure(bench: Bench) -> dict[str, float]:
    figures: dict[str, float] = {}
    ledger = bench.deploy("EvidenceLedger")
    gateway_key, _, gateway = bench.account()
    bench.gas(ledger, "authoriseGateway", gateway)
    direct = [
        bench.gas(ledger, "anchorRecord", digest(f"r{seq}"), seq, key=gateway_key)
        for seq in range(1, DIRECT_SAMPLES + 1)
    ]
    figures["anchorRecord (per record, baseline)"] = sum(direct) / len(direct)
    previous, next_seq = b"\x00" * 32, DIRECT_SAMPLES + 1
    for size in BATCH_SIZES:
        root = digest(f"root-{size}")
        last = next_seq + size - 1
        used = bench.gas(
            ledger, "anchorBatch", root, size, next_seq, last, previous, key=gateway_key
        )
        figures[f"anchorBatch of {size} (per record)"] = used / size
        previous, next_seq = root, last + 1

    registry = bench.deploy("MemberRegistry")
    catalog = bench.deploy("DataCatalog", registry.address)
    grants = bench.deploy("AccessGrants", registry.address, catalog.address)
    members = {}
    for code in ("NRD", "TAX"):
        key, public_key, address = bench.account()
        used = bench.gas(registry, "registerApplication", b32(code), code, public_key, address, 3)
        figures["registerApplication"] = used
        figures["approve (member)"] = bench.gas(registry, "approve", b32(code), "admitted")
        members[code] = key
    fields = [b32("bdcdyh"), b32("zl"), b32("mj"), b32("qlr_name")]
    figures["publishEntry"] = bench.gas(
        catalog, "publishEntry", b32("TITLE"), b32("NRD"), 1, digest("v0"), key=members["NRD"]
    )
    figures["reviseEntry"] = bench.gas(
        catalog, "reviseEntry", b32("TITLE"), digest("v1"), digest("v0"), 1, key=members["NRD"]
    )
    figures["applyForAccess (4 fields)"] = bench.gas(
        grants, "applyForAccess", b32("G1"), b32("TITLE"), b32("TAX"), b32("MATTER"),
        "契税征收核验", fields, 2**62, key=members["TAX"],
    )  # fmt: skip
    figures["approveGrant (3 of 4 fields)"] = bench.gas(
        grants, "approveGrant", b32("G1"), fields[:3], 2**62, key=members["NRD"]
    )
    records = bench.deploy("RecordStore")
    writer_key, _, writer = bench.account()
    bench.gas(records, "authoriseWriter", writer)
    figures["putVersion"] = bench.gas(
        records, "putVersion", b32("DJB-1"), digest("c"), "登记员A017", "省自然资源厅",
        "不动产登记系统", "电子登记簿", False, key=writer_key,
    )  # fmt: skip
    return figures


def main() -> None:
    results: dict[str, dict[str, float]] = {}
    with (
        tempfile.TemporaryDirectory() as data_dir,
        running_devnode(data_dir, suite="sm", block_interval=0.002) as (url, _node),
    ):
        client = ChainClient(
            HttpTransport(url), SM_SUITE, group_id=1, chain_id=1, poll_interval=0.002
        )
        for build in BUILDS:
            results[build] = measure(Bench(client, build))
    baseline = {build: results[build]["anchorRecord (per record, baseline)"] for build in BUILDS}
    print(f"{'operation':40} " + " ".join(f"{b:>14} {'ratio':>7}" for b in BUILDS))
    for operation in results[BUILDS[0]]:
        cells = []
        for build in BUILDS:
            value = results[build][operation]
            ratio = baseline[build] / value if "anchor" in operation else value / baseline[build]
            cells.append(f"{value:14,.0f} {ratio:6.1f}×")
        print(f"{operation:40} " + " ".join(cells))
    print(
        "ratio: records per baseline gas for anchors (higher is cheaper); gas / anchorRecord else"
    )


if __name__ == "__main__":
    main()
