"""Witnesses co-sign the evidence log's checkpoints and catch a gateway that rewrites history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from gateway.bootstrap import Container, build_container
from gateway.crypto.keyfiles import write_private_key
from gateway.crypto.secp256k1 import Secp256k1PrivateKey
from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.evidence.anchoring import Anchorer
from gateway.evidence.consistency import Checkpoint
from gateway.evidence.tables import AccessRecordRow
from gateway.instance import GATEWAY_KEY_FILE
from gateway.storage.migrate import upgrade
from gateway.witness.signatures import signature_valid
from tests.conftest import SettingsFactory
from tests.evidence_support import log_closed_record


class MemoryLedger:
    """EvidenceLedger's rules in memory: each batch continues the last."""

    def __init__(self) -> None:
        self.batches: dict[str, tuple[int, int, int]] = {}
        self.last = 0

    def anchor_batch(
        self, root: str, count: int, first: int, last: int, prev: str
    ) -> tuple[str, int]:
        assert first == self.last + 1
        self.batches[root] = (count, first, last)
        self.last = last
        return "0x" + "aa" * 32, len(self.batches)

    def anchor_record(self, digest: str, sequence: int) -> tuple[str, int]:
        raise NotImplementedError

    def next_sequence(self) -> int:
        return self.last + 1

    def batch_by_root(self, root: str) -> tuple[int, int, int] | None:
        return self.batches.get(root)


@pytest.fixture
def container(make_settings: SettingsFactory) -> Iterator[Container]:
    settings = make_settings(witness_members="NRD,TAX", witness_required=2)
    settings.keys_dir.mkdir(parents=True)
    write_private_key(settings.keys_dir / GATEWAY_KEY_FILE, Sm2PrivateKey.generate())
    credentials = settings.data_dir / "credentials"
    credentials.mkdir()
    write_private_key(credentials / "NRD-sm2.pem", Sm2PrivateKey.generate())
    # a department on an ECDSA chain signs with secp256k1
    write_private_key(credentials / "TAX-sm2.pem", Secp256k1PrivateKey.generate())
    container = build_container(settings)
    upgrade(container.engine)
    yield container
    container.close()


def _log_and_anchor(container: Container, anchorer: Anchorer, names: list[str]) -> None:
    for index, name in enumerate(names):
        log_closed_record(container.evidence_log, name, index + 1)
    anchorer.run_once()


def test_witnesses_cosign_growing_checkpoints(container: Container) -> None:
    anchorer = Anchorer(container.engine, MemoryLedger())
    _log_and_anchor(container, anchorer, ["a-1", "a-2", "a-3"])
    first = container.checkpoints.run_once()
    assert first.witnessed and first.checkpoint is not None
    assert first.checkpoint.tree_size == 3
    _log_and_anchor(container, anchorer, ["b-1", "b-2"])
    second = container.checkpoints.run_once()
    assert second.witnessed and second.checkpoint is not None
    assert second.checkpoint.tree_size == 5
    origin = container.witnesses()[0].origin
    message = second.checkpoint.signing_input(origin)
    assert {entry["party"]: entry["suite"] for entry in second.cosignatures} == {
        "NRD": "sm",
        "TAX": "ecdsa",
    }
    assert all(signature_valid(entry, message) for entry in second.cosignatures)
    assert not signature_valid(second.cosignatures[0], first.checkpoint.signing_input(origin))
    assert container.readiness.run()["witness"]["status"] == "ok"


def test_a_rewritten_leaf_is_refused_and_raises_an_alert(container: Container) -> None:
    anchorer = Anchorer(container.engine, MemoryLedger())
    _log_and_anchor(container, anchorer, ["a-1", "a-2", "a-3", "a-4"])
    assert container.checkpoints.run_once().witnessed

    # the gateway's operator rewrites what record 2 said, then the log grows
    with Session(container.engine) as session, session.begin():
        row = session.query(AccessRecordRow).filter_by(sequence=2).one()
        forged = str(row.evidence).replace('"decision":"allowed"', '"decision":"denied"')
        assert forged != row.evidence
        session.execute(
            update(AccessRecordRow).where(AccessRecordRow.id == row.id).values(evidence=forged)
        )
    _log_and_anchor(container, anchorer, ["b-1"])

    report = container.checkpoints.run_once()
    assert not report.witnessed
    assert report.cosignatures == []
    assert {refusal["witness"] for refusal in report.refusals} == {"NRD", "TAX"}
    assert "history was rewritten" in report.refusals[0]["reason"]

    ready: dict[str, Any] = container.readiness.run()["witness"]
    assert ready["status"] == "alert"
    assert "history was rewritten" in ready["error"]
    # the witness kept the checkpoint it signed, so the forged log is refused again later
    assert container.witnesses()[0].last_seen() == Checkpoint(
        4, container.witnesses()[0].last_seen().root
    )  # type: ignore[union-attr]
    again = container.checkpoints.run_once()
    assert not again.witnessed


def test_a_shrunken_log_is_refused(container: Container) -> None:
    anchorer = Anchorer(container.engine, MemoryLedger())
    _log_and_anchor(container, anchorer, ["a-1", "a-2"])
    assert container.checkpoints.run_once().witnessed
    with Session(container.engine) as session, session.begin():
        session.execute(
            update(AccessRecordRow).where(AccessRecordRow.sequence == 2).values(evidence=None)
        )
    report = container.checkpoints.run_once()
    assert len(report.refusals) == 2
    assert container.readiness.run()["witness"]["status"] == "alert"
