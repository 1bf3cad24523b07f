"""The flat state journal behaves like a stack of snapshots, and survives a store round trip."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.crypto.hashing import sm3
from gateway.devnode.state import Account, FlatAccountDB, FlatState, StateChanges
from gateway.devnode.state_rows import (
    STATE_SCHEMA,
    read_account,
    read_code,
    read_storage,
    write_state,
)

ADDRESSES = [bytes([i]) * 20 for i in range(1, 4)]
SLOTS = [0, 1, 2**255]

operation = st.one_of(
    st.tuples(
        st.just("store"),
        st.sampled_from(ADDRESSES),
        st.sampled_from(SLOTS),
        st.integers(0, 2**256 - 1),
    ),
    st.tuples(st.just("nonce"), st.sampled_from(ADDRESSES), st.integers(0, 2**64)),
    st.tuples(st.just("wipe"), st.sampled_from(ADDRESSES)),
    st.tuples(st.just("checkpoint")),
    st.tuples(st.just("revert")),
    st.tuples(st.just("commit")),
    st.tuples(st.just("end_tx")),
)


def _empty_state() -> FlatState:
    return FlatState(lambda a: None, lambda a, i, s: 0, lambda h: None)


def _view(db: FlatAccountDB) -> dict[object, int]:
    view: dict[object, int] = {}
    for address in ADDRESSES:
        view[address] = db.get_nonce(address)
        for slot in SLOTS:
            view[(address, slot)] = db.get_storage(address, slot)
    return view


@settings(max_examples=150, deadline=None)
@given(st.lists(operation, max_size=40))
def test_reverting_a_checkpoint_restores_exactly_the_view_at_that_checkpoint(ops: list) -> None:
    db = FlatAccountDB(_empty_state())
    snapshots: list[tuple[int, dict[object, int]]] = []
    for op in ops:
        kind = op[0]
        if kind == "store":
            db.set_storage(op[1], op[2], op[3])
        elif kind == "nonce":
            db.set_nonce(op[1], op[2])
        elif kind == "wipe":
            db.delete_storage(op[1])
        elif kind == "checkpoint":
            snapshots.append((db.record(), _view(db)))
        elif kind == "revert" and snapshots:
            checkpoint, expected = snapshots.pop()
            db.discard(checkpoint)
            assert _view(db) == expected
        elif kind == "commit" and snapshots:
            db.commit(snapshots.pop()[0])
        elif kind == "end_tx":
            db.lock_changes()
            snapshots.clear()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(ADDRESSES), st.sampled_from(SLOTS), st.integers(0, 2**256 - 1)),
        max_size=20,
    ),
    st.integers(0, 2**200),
)
def test_a_block_of_changes_reads_back_the_same_from_sqlite(
    writes: list[tuple[bytes, int, int]], nonce: int
) -> None:
    db = FlatAccountDB(_empty_state())
    for address, slot, value in writes:
        db.set_storage(address, slot, value)
    db.set_nonce(ADDRESSES[0], nonce)
    db.set_code(ADDRESSES[1], b"\x60\x00")
    changes: StateChanges = db.persist()
    connection = sqlite3.connect(":memory:")
    connection.executescript(STATE_SCHEMA)
    write_state(connection, changes)
    reloaded = FlatAccountDB(
        FlatState(
            lambda a: read_account(connection, a),
            lambda a, i, s: read_storage(connection, a, i, s),
            lambda h: read_code(connection, h),
        )
    )
    assert _view(reloaded) == _view(db)
    assert reloaded.get_code(ADDRESSES[1]) == b"\x60\x00"
    assert read_account(connection, ADDRESSES[0]) == Account(nonce=nonce)


def test_state_digest_depends_on_every_change() -> None:
    def digest(value: int) -> bytes:
        db = FlatAccountDB(_empty_state())
        db.set_storage(ADDRESSES[0], 1, value)
        return db.persist().digest(sm3)

    assert digest(1) != digest(2)
