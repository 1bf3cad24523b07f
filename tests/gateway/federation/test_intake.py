"""A parent taking checkpoints: what it anchors, what it refuses, and that nothing is doubled.

One real level (the province, its chain and FederationLedger); its children here are keys and
logs of leaves, so every shape of checkpoint, honest or not, can be offered directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gateway.crypto.sm2 import Sm2PrivateKey
from gateway.evidence.consistency import LogTree
from gateway.evidence.digests import hex_digest
from gateway.federation.checkpoints import sign_checkpoint
from gateway.federation.errors import (
    CheckpointRefused,
    FederationSignatureInvalid,
    MalformedFederationDocument,
    NotAChild,
)
from gateway.federation.identity import Identity
from gateway.federation.ledger import CONTRACT, ChainFederationLedger, FederationLedgerRefused
from gateway.federation.tables import ChildCheckpointRow
from gateway.onchain.bound import BoundContract
from tests.federation_support import Level, hierarchy


class Child:
    """A child gateway reduced to what the parent sees of it: a key and a growing log."""

    def __init__(self, node: str) -> None:
        self.node = node
        self.key = Sm2PrivateKey.generate()
        self.leaves: list[bytes] = []

    def log(self, count: int) -> None:
        start = len(self.leaves)
        self.leaves += [f'{{"record":{start + i}}}'.encode() for i in range(count)]

    def tree(self) -> LogTree:
        return LogTree.from_leaves(self.leaves)

    def checkpoint(
        self, children: tuple[dict[str, Any], ...] = (), key: Sm2PrivateKey | None = None
    ) -> dict[str, Any]:
        return sign_checkpoint(self.node, self.tree().checkpoint(), key or self.key, children)

    def proof(self, old_size: int) -> list[str]:
        return [hex_digest(n) for n in self.tree().consistency(old_size)] if old_size else []


@pytest.fixture
def province(level_templates: dict[str, Path], tmp_path: Path) -> Iterator[Level]:
    with hierarchy(level_templates, tmp_path, depth=1) as [level]:
        yield level


def _register(level: Level, child: Child) -> None:
    identity = Identity.sign(child.node, child.node, "http://127.0.0.1:1", child.key)
    level.federation.registry.register(identity, actor="test")


def _ledger(level: Level) -> ChainFederationLedger:
    container = level.container
    return ChainFederationLedger(
        BoundContract(lambda: container.chain, CONTRACT, FederationLedgerRefused)
    )


def _rows(level: Level, node: str) -> list[tuple[int, str | None]]:
    with Session(level.container.engine) as session:
        return [
            (row.tree_size, row.tx_hash)
            for row in session.scalars(
                select(ChildCheckpointRow)
                .where(ChildCheckpointRow.node == node)
                .order_by(ChildCheckpointRow.tree_size)
            )
        ]


def test_growing_checkpoints_are_anchored_once_each(province: Level) -> None:
    city = Child("R320100")
    _register(province, city)
    intake = province.federation.intake
    city.log(5)
    first = intake.accept("R320100", city.checkpoint(), [])
    assert [a["tree_size"] for a in first.accepted] == [5]
    again = intake.accept("R320100", city.checkpoint(), city.proof(5))
    assert again.accepted == [] and again.unchanged == ["R320100"]
    city.log(7)
    grown = intake.accept("R320100", city.checkpoint(), city.proof(5))
    assert [a["tree_size"] for a in grown.accepted] == [12]
    assert [size for size, _ in _rows(province, "R320100")] == [5, 12]
    ledger = _ledger(province)
    assert ledger.count("R320100") == 2
    on_chain = ledger.by_size("R320100", 12)
    assert on_chain is not None and on_chain.root == hex_digest(city.tree().checkpoint().root)
    assert intake.latest("R320100") == {"tree_size": 12, "root": on_chain.root}


def test_a_rewritten_log_is_refused_and_stays_an_alert(province: Level) -> None:
    city = Child("R320100")
    _register(province, city)
    intake = province.federation.intake
    city.log(8)
    intake.accept("R320100", city.checkpoint(), [])
    city.leaves[3] = b'{"record":"rewritten"}'
    city.log(4)
    with pytest.raises(CheckpointRefused) as refused:
        intake.accept("R320100", city.checkpoint(), city.proof(8))
    assert refused.value.extra["reason"] == "checkpoint_inconsistent"
    assert refused.value.extra["accepted_tree_size"] == 8
    assert [size for size, _ in _rows(province, "R320100")] == [8]
    status = province.federation.status.report()
    [row] = status["children"]
    assert row["refused"]["detail"]["reason"] == "checkpoint_inconsistent"
    assert any("checkpoint refused" in alert for alert in status["alerts"])
    shrunk = Child("R320100")
    shrunk.key = city.key
    shrunk.leaves = city.leaves[:6]
    with pytest.raises(CheckpointRefused) as smaller:
        intake.accept("R320100", shrunk.checkpoint(), [])
    assert smaller.value.extra["reason"] == "checkpoint_shrank"


def test_a_checkpoint_not_signed_by_the_childs_registered_key_is_refused(province: Level) -> None:
    city = Child("R320100")
    _register(province, city)
    city.log(3)
    with pytest.raises(FederationSignatureInvalid):
        province.federation.intake.accept(
            "R320100", city.checkpoint(key=Sm2PrivateKey.generate()), []
        )
    tampered = city.checkpoint()
    tampered["tree_size"] = 2
    with pytest.raises(FederationSignatureInvalid):
        province.federation.intake.accept("R320100", tampered, [])
    other = Child("R320199")
    other.key = city.key
    other.log(3)
    with pytest.raises(MalformedFederationDocument):
        province.federation.intake.accept("R320100", other.checkpoint(), [])
    with pytest.raises(NotAChild):
        province.federation.intake.accept("R320199", other.checkpoint(), [])
    assert _rows(province, "R320100") == []


def test_descendants_are_anchored_through_their_child_only(province: Level) -> None:
    city, other_city, county = Child("R320100"), Child("R320200"), Child("R320102")
    _register(province, city)
    _register(province, other_city)
    county.log(4)
    city.log(2)
    report = province.federation.intake.accept(
        "R320100", city.checkpoint((county.checkpoint(),)), []
    )
    assert {(a["node"], a["via"]) for a in report.accepted} == {
        ("R320100", "R320100"),
        ("R320102", "R320100"),
    }
    county.log(3)
    other_city.log(1)
    through_other = province.federation.intake.accept(
        "R320200", other_city.checkpoint((county.checkpoint(),)), []
    )
    assert through_other.skipped == [{"node": "R320102", "reason": "reached_through_another_child"}]
    claims_a_sibling = province.federation.intake.accept(
        "R320100", city.checkpoint((other_city.checkpoint(),)), city.proof(2)
    )
    assert {"node": "R320200", "reason": "node_is_a_direct_child"} in claims_a_sibling.skipped
    forged_county = Child("R320102")
    forged_county.log(9)
    rewritten = province.federation.intake.accept(
        "R320100", city.checkpoint((forged_county.checkpoint(),)), city.proof(2)
    )
    assert [a["node"] for a in rewritten.accepted] == ["R320102"]  # grows: it is the city's word
    assert [size for size, _ in _rows(province, "R320102")] == [4, 9]
    assert _ledger(province).by_size("R320102", 9).via == "R320100"  # type: ignore[union-attr]


def test_a_checkpoint_already_on_chain_is_recorded_without_a_second_transaction(
    province: Level,
) -> None:
    city = Child("R320100")
    _register(province, city)
    city.log(6)
    document = city.checkpoint()
    province.federation.intake.accept("R320100", document, [])
    with Session(province.container.engine) as session, session.begin():
        session.execute(delete(ChildCheckpointRow))  # as if the process died after the tx
    report = province.federation.intake.accept("R320100", document, [])
    assert [(a["tree_size"], a["tx_hash"]) for a in report.accepted] == [(6, None)]
    assert _ledger(province).count("R320100") == 1
    with Session(province.container.engine) as session:
        assert session.scalar(select(func.count()).select_from(ChildCheckpointRow)) == 1
