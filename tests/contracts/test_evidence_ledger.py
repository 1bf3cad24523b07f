"""EvidenceLedger: chained Merkle batch anchors, direct records, lookups, gateway authorisation."""

from __future__ import annotations

import pytest

from .contract_helpers import ZERO32, digest, only_event

GAP = "EvidenceLedger: sequence does not continue the last anchor"
MISCOUNT = "EvidenceLedger: record count does not match the sequence range"
NOT_LATEST = "EvidenceLedger: previous root is not the latest root"

BATCHES = [  # (label, firstSeq, lastSeq)
    ("root-1", 1, 5),
    ("root-2", 6, 6),
    ("root-3", 7, 20),
    ("root-4", 21, 1000),
]


@pytest.fixture
def gateway(chain, ledger, office):
    account = chain.new_account()
    chain.transact(ledger, "authoriseGateway", account.hex, sender=office)
    return account


def anchor(chain, ledger, gateway, label, first, last, previous, count=None):
    size = last - first + 1 if count is None else count
    return chain.transact(
        ledger, "anchorBatch", digest(label), size, first, last, previous, sender=gateway
    )


@pytest.fixture
def anchored(chain, ledger, gateway):
    previous = ZERO32
    for label, first, last in BATCHES:
        anchor(chain, ledger, gateway, label, first, last, previous)
        previous = digest(label)


def test_batches_chain_root_to_root(chain, ledger, gateway):
    previous = ZERO32
    for index, (label, first, last) in enumerate(BATCHES):
        events = anchor(chain, ledger, gateway, label, first, last, previous)
        assert only_event(events, "BatchAnchored") == {
            "root": digest(label),
            "batchIndex": index,
            "gateway": gateway.hex,
            "count": last - first + 1,
            "firstSeq": first,
            "lastSeq": last,
            "prevRoot": previous,
        }
        assert chain.call(ledger, "latestRoot") == digest(label)
        previous = digest(label)
    assert chain.call(ledger, "batchCount") == len(BATCHES)
    assert chain.call(ledger, "lastSequence") == 1000
    assert chain.call(ledger, "nextSequence") == 1001


def test_lookup_by_root(chain, ledger, gateway, anchored):
    index, count, first, last, previous, _at, by = chain.call(
        ledger, "batchByRoot", digest("root-3")
    )
    assert (index, count, first, last, previous, by) == (
        2,
        14,
        7,
        20,
        digest("root-2"),
        gateway.hex,
    )
    root, *rest = chain.call(ledger, "batchAt", 2)
    assert root == digest("root-3")
    assert rest[:4] == [14, 7, 20, digest("root-2")]


@pytest.mark.parametrize(
    ("seq", "batch"),
    [(1, 0), (3, 0), (5, 0), (6, 1), (7, 2), (19, 2), (20, 2), (21, 3), (500, 3), (1000, 3)],
)
def test_lookup_by_sequence_finds_the_covering_batch(chain, ledger, anchored, seq, batch):
    label, first, last = BATCHES[batch]
    assert chain.call(ledger, "batchBySequence", seq) == (batch, digest(label), first, last)


@pytest.mark.parametrize("seq", [0, 1001, 2**64 - 1])
def test_lookup_of_an_unanchored_sequence_is_refused(chain, reject, ledger, anchored, seq):
    with reject("EvidenceLedger: sequence is not in an anchored batch"):
        chain.call(ledger, "batchBySequence", seq)


def test_lookups_on_an_empty_ledger(chain, reject, ledger):
    assert chain.call(ledger, "latestRoot") == ZERO32
    assert chain.call(ledger, "lastSequence") == 0
    assert chain.call(ledger, "batchCount") == 0
    with reject("EvidenceLedger: sequence is not in an anchored batch"):
        chain.call(ledger, "batchBySequence", 1)
    with reject("EvidenceLedger: unknown root"):
        chain.call(ledger, "batchByRoot", digest("root-1"))
    with reject("EvidenceLedger: batch index out of range"):
        chain.call(ledger, "batchAt", 0)


@pytest.mark.parametrize(
    ("label", "first", "last", "previous", "count", "reason"),
    [
        ("next", 21, 30, "root-2", None, NOT_LATEST),
        ("next", 21, 30, None, None, NOT_LATEST),
        ("next", 22, 30, "root-3", None, GAP),
        ("next", 20, 30, "root-3", None, GAP),
        ("next", 1, 30, "root-3", None, GAP),
        ("next", 21, 20, "root-3", 0, "EvidenceLedger: sequence range is empty"),
        ("next", 21, 30, "root-3", 9, MISCOUNT),
        ("next", 21, 30, "root-3", 11, MISCOUNT),
        ("root-1", 21, 30, "root-3", None, "EvidenceLedger: root already anchored"),
        (None, 21, 30, "root-3", None, "EvidenceLedger: root is empty"),
    ],
)
def test_broken_chains_are_refused(
    chain, reject, ledger, gateway, label, first, last, previous, count, reason
):
    prior = ZERO32
    for done, done_first, done_last in BATCHES[:3]:
        anchor(chain, ledger, gateway, done, done_first, done_last, prior)
        prior = digest(done)
    root = digest(label) if label else ZERO32
    size = last - first + 1 if count is None else count
    cited = digest(previous) if previous else ZERO32
    with reject(reason):
        chain.transact(ledger, "anchorBatch", root, size, first, last, cited, sender=gateway)
    assert chain.call(ledger, "latestRoot") == digest("root-3")


def test_the_first_batch_starts_at_sequence_one_after_no_root(chain, reject, ledger, gateway):
    with reject(NOT_LATEST):
        anchor(chain, ledger, gateway, "root-1", 1, 5, digest("imagined"))
    with reject(GAP):
        anchor(chain, ledger, gateway, "root-1", 0, 5, ZERO32)
    anchor(chain, ledger, gateway, "root-1", 1, 5, ZERO32)


def test_direct_mode_anchors_one_record_per_sequence(chain, reject, ledger, gateway):
    for seq in (1, 2, 3):
        events = chain.transact(
            ledger, "anchorRecord", digest(f"record-{seq}"), seq, sender=gateway
        )
        assert only_event(events, "RecordAnchored") == {
            "recordDigest": digest(f"record-{seq}"),
            "seq": seq,
            "gateway": gateway.hex,
        }
    found_digest, _at, by = chain.call(ledger, "recordBySequence", 2)
    assert (found_digest, by) == (digest("record-2"), gateway.hex)
    assert chain.call(ledger, "recordByDigest", digest("record-3"))[0] == 3
    assert chain.call(ledger, "recordCount") == 3
    with reject(GAP):
        chain.transact(ledger, "anchorRecord", digest("record-5"), 5, sender=gateway)
    with reject("EvidenceLedger: record already anchored"):
        chain.transact(ledger, "anchorRecord", digest("record-1"), 4, sender=gateway)
    with reject("EvidenceLedger: record digest is empty"):
        chain.transact(ledger, "anchorRecord", ZERO32, 4, sender=gateway)
    with reject("EvidenceLedger: sequence is not an anchored record"):
        chain.call(ledger, "recordBySequence", 4)
    with reject("EvidenceLedger: unknown record digest"):
        chain.call(ledger, "recordByDigest", digest("record-4"))


def test_batches_and_direct_records_share_one_sequence(chain, reject, ledger, gateway):
    anchor(chain, ledger, gateway, "root-1", 1, 5, ZERO32)
    with reject(GAP):
        chain.transact(ledger, "anchorRecord", digest("record-1"), 1, sender=gateway)
    chain.transact(ledger, "anchorRecord", digest("record-6"), 6, sender=gateway)
    with reject(GAP):
        anchor(chain, ledger, gateway, "root-2", 6, 10, digest("root-1"))
    anchor(chain, ledger, gateway, "root-2", 7, 10, digest("root-1"))
    assert chain.call(ledger, "batchBySequence", 7)[1] == digest("root-2")
    with reject("EvidenceLedger: sequence is not in an anchored batch"):
        chain.call(ledger, "batchBySequence", 6)


def test_only_authorised_gateways_anchor(chain, reject, ledger, gateway, office):
    stranger = chain.new_account()
    for caller in (stranger, office):
        with reject("EvidenceLedger: caller is not an authorised gateway"):
            anchor(chain, ledger, caller, "root-1", 1, 5, ZERO32)
        with reject("EvidenceLedger: caller is not an authorised gateway"):
            chain.transact(ledger, "anchorRecord", digest("record-1"), 1, sender=caller)
    events = chain.transact(ledger, "deauthoriseGateway", gateway.hex, sender=office)
    assert only_event(events, "GatewayDeauthorised") == {"account": gateway.hex, "by": office.hex}
    assert chain.call(ledger, "isGateway", gateway.hex) is False
    with reject("EvidenceLedger: caller is not an authorised gateway"):
        anchor(chain, ledger, gateway, "root-1", 1, 5, ZERO32)


def test_only_governors_manage_gateways(chain, reject, ledger, gateway, office):
    other = chain.new_account()
    with reject("EvidenceLedger: caller is not a governor"):
        chain.transact(ledger, "authoriseGateway", other.hex, sender=gateway)
    with reject("EvidenceLedger: caller is not a governor"):
        chain.transact(ledger, "deauthoriseGateway", gateway.hex, sender=gateway)
    with reject("EvidenceLedger: gateway is already authorised"):
        chain.transact(ledger, "authoriseGateway", gateway.hex, sender=office)
    with reject("EvidenceLedger: gateway is not authorised"):
        chain.transact(ledger, "deauthoriseGateway", other.hex, sender=office)
    with reject("EvidenceLedger: account is the zero address"):
        chain.transact(ledger, "authoriseGateway", "0x" + "00" * 20, sender=office)
    events = chain.transact(ledger, "authoriseGateway", other.hex, sender=office)
    assert only_event(events, "GatewayAuthorised") == {"account": other.hex, "by": office.hex}


def test_a_new_chain_continues_the_log_of_the_old_one(chain, reject, ledger, gateway, office):
    with reject("EvidenceLedger: caller is not a governor"):
        chain.transact(ledger, "continueFrom", 20, digest("root-3"), sender=gateway)
    with reject("EvidenceLedger: nothing to continue"):
        chain.transact(ledger, "continueFrom", 0, ZERO32, sender=office)
    events = chain.transact(ledger, "continueFrom", 20, digest("root-3"), sender=office)
    assert only_event(events, "LogContinued") == {
        "lastSeq": 20,
        "latestRoot": digest("root-3"),
        "by": office.hex,
    }
    assert chain.call(ledger, "nextSequence") == 21
    with reject(NOT_LATEST):
        anchor(chain, ledger, gateway, "root-4", 21, 1000, ZERO32)
    anchor(chain, ledger, gateway, "root-4", 21, 1000, digest("root-3"))
    with reject("EvidenceLedger: anchors exist already"):
        chain.transact(ledger, "continueFrom", 1000, digest("root-4"), sender=office)
