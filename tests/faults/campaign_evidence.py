"""The campaign's evidence checks: every answered query logged, anchored once, receipts valid."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def load_cluster_module() -> ModuleType:
    """``deploy/ha/cluster.py``, which is a script of the deployment, not a package."""
    name = "alliance_deploy_ha_cluster"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "deploy" / "ha" / "cluster.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Outcome:
    phase: str
    status: int
    latency: float
    body: dict[str, Any] | None = None


def _wait_anchored(engine: Any, timeout: float) -> None:
    from sqlalchemy import func, select

    from gateway.evidence.tables import AccessRecordRow, AnchorRow

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            waiting = connection.scalar(
                select(func.count()).where(AccessRecordRow.sequence.is_(None))
            )
            unfinished = connection.scalar(
                select(func.count()).where(AnchorRow.status != "anchored")
            )
        if not waiting and not unfinished:
            return
        time.sleep(1.0)


def check_evidence(cluster: Any, outcomes: list[Outcome]) -> dict[str, Any]:
    """The invariants of the module docstring, counted from the database and the chain."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from gateway.bootstrap import build_container
    from gateway.chain.client import ChainClient
    from gateway.chain.suite import suite_by_name
    from gateway.chain.transport.http import HttpTransport
    from gateway.evidence.tables import AccessRecordRow, AnchorRow
    from gateway.evidence.verify import AnchoredBatch, verify_evidence
    from gateway.onchain.artifacts import load_artifacts
    from gateway.settings import load_settings

    settings = load_settings(environ=cluster.env())
    container = build_container(settings)
    try:
        _wait_anchored(container.engine, 150.0)
        with Session(container.engine) as session:
            records = session.scalar(select(func.count(AccessRecordRow.id))) or 0
            unanchored = session.scalar(
                select(func.count()).where(AccessRecordRow.sequence.is_(None))
            )
            digests = dict(
                session.execute(
                    select(AccessRecordRow.request_id, AccessRecordRow.response_digest)
                ).all()
            )
            batches = session.execute(
                select(AnchorRow.first_sequence, AnchorRow.last_sequence).where(
                    AnchorRow.status == "anchored"
                )
            ).all()
        covered = Counter(s for first, last in batches for s in range(first, last + 1))
        top = max(covered, default=0)
        deployment = container.chain.deployment()
        client = ChainClient(HttpTransport(cluster.rpc_url, timeout=10.0), suite_by_name("sm"))
        ledger = client.contract(
            load_artifacts()["EvidenceLedger"], deployment.address("EvidenceLedger")
        )
        on_chain = int(ledger.call("nextSequence")) - 1
        duplicates = sum(n - 1 for n in covered.values() if n > 1)
        missing = (
            sum(1 for s in range(1, max(top, on_chain) + 1) if s not in covered)
            + int(unanchored or 0)
            + abs(on_chain - top)
        )

        answered = [o for o in outcomes if o.body and isinstance(o.body.get("receipt"), dict)]
        without_evidence = 0
        verified = failed_verification = 0
        roots: dict[str, AnchoredBatch] = {}
        key = container.gateway_key().public_key
        for outcome in answered:
            assert outcome.body is not None
            receipt = outcome.body["receipt"]
            request_id = receipt.get("request_id")
            if request_id not in digests or digests[request_id] != receipt.get("response_digest"):
                without_evidence += 1
                continue
            proof = container.evidence.evidence(request_id)["proof"]
            if proof is None:
                failed_verification += 1
                continue
            root = str(proof["root"])
            if root not in roots:
                _index, count, first, *_ = ledger.call("batchByRoot", bytes.fromhex(root[2:]))
                roots[root] = AnchoredBatch(bytes.fromhex(root[2:]), int(count), int(first))
            response = None
            if outcome.status == 200:
                response = {k: outcome.body[k] for k in ("request_id", "entry_id", "data")}
            report = verify_evidence(
                receipt,
                gateway_public_key=key,
                response=response,
                proof=proof,
                anchored_root=roots[root],
            )
            if report.ok:
                verified += 1
            else:
                failed_verification += 1
    finally:
        container.close()
    reconciliation = subprocess.run(
        [load_cluster_module().ALLIANCE, "reconciliation", "run", "--fail-on-mismatch"],
        env=cluster.env(),
        capture_output=True,
        text=True,
    )
    try:
        report_doc = json.loads(reconciliation.stdout)
    except json.JSONDecodeError:
        report_doc = {"stderr": reconciliation.stderr[-500:]}
    return {
        "evidence_records": records,
        "anchored": sum(covered.values()),
        "anchored_on_chain": on_chain,
        "duplicates": duplicates,
        "missing": missing,
        "answered_with_receipt": len(answered),
        "answered_without_evidence": without_evidence,
        "receipts_verified": verified,
        "receipts_failed": failed_verification,
        "reconciliation_clean": reconciliation.returncode == 0,
        "reconciliation_findings": report_doc.get("findings_count", report_doc),
    }
