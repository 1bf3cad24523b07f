"""The fast evidence leaf spells exactly the bytes of ``evidence_leaf`` and refuses what it
refuses, for well-formed records and for every kind of malformed field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.crypto.errors import CanonicalJsonError
from gateway.evidence.digests import EVIDENCE_FIELDS, EvidenceRecordError, evidence_leaf
from gateway.evidence.leaves import evidence_leaf_text, spell_leaf, stored_time

from .conftest import make_record

DIGESTS = st.text("0123456789abcdef", min_size=64, max_size=64).map(lambda h: "0x" + h)
TIMES = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
TEXT = st.text(min_size=1, max_size=40)  # any code point, control characters and quotes too
ODD = st.one_of(
    st.none(), st.integers(-5, 2**60), st.text(max_size=5), st.just(""), st.just("\ud800")
)


def _values(record: dict[str, Any]) -> list[Any]:
    return [record[name] for name in EVIDENCE_FIELDS]


def _same_outcome(values: list[Any]) -> None:
    record = dict(zip(EVIDENCE_FIELDS, values, strict=True))
    try:
        expected: Any = evidence_leaf(record).decode("utf-8")
    except (EvidenceRecordError, CanonicalJsonError) as exc:
        expected = (type(exc), str(exc))
    try:
        got: Any = evidence_leaf_text(values)
    except (EvidenceRecordError, CanonicalJsonError) as exc:
        got = (type(exc), str(exc))
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(
    request_id=TEXT,
    sequence=st.integers(1, 2**53 - 1),
    names=st.lists(TEXT, min_size=4, max_size=4),
    purpose=st.none() | st.text(max_size=20),
    reason=st.none() | st.text(max_size=20),
    digests=st.lists(DIGESTS, min_size=2, max_size=2),
    decision=st.sampled_from(["allowed", "denied", "failed"]),
    times=st.tuples(TIMES, st.none() | TIMES),
)
def test_well_formed_records_spell_the_canonical_leaf(
    request_id: str,
    sequence: int,
    names: list[str],
    purpose: str | None,
    reason: str | None,
    digests: list[str],
    decision: str,
    times: tuple[str, str | None],
) -> None:
    entry_id, entry_version, consumer, provider = names
    values = [
        request_id,
        sequence,
        entry_id,
        entry_version,
        consumer,
        provider,
        purpose,
        digests[0],
        digests[1] if decision == "allowed" else None,
        decision,
        reason,
        *times,
    ]
    _same_outcome(values)
    assert spell_leaf(values) == evidence_leaf_text(values)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(ODD | TEXT, min_size=13, max_size=13))
def test_a_spelled_leaf_parses_back_to_exactly_its_values(values: list[Any]) -> None:
    spelled = spell_leaf(values)
    assert spelled is not None
    document = json.loads(spelled)
    assert document.pop("evidence_version") == 1
    assert document == dict(zip(EVIDENCE_FIELDS, values, strict=True))
    assert list(document) == sorted(document)
    assert spell_leaf([*values[:-1], object()]) is None
    assert spell_leaf([*values[:-1], float("nan")]) is None


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(EVIDENCE_FIELDS), value=ODD)
def test_any_malformed_field_is_refused_as_the_checked_path_refuses_it(
    field: str, value: Any
) -> None:
    values = _values(make_record(**{field: value}))
    _same_outcome(values)


def test_an_allowed_record_without_a_response_digest_is_refused() -> None:
    with pytest.raises(EvidenceRecordError, match="response digest"):
        evidence_leaf_text(_values(make_record(response_digest=None)))


def test_stored_times_in_every_spelling_give_the_evidence_spelling() -> None:
    spelled = "2026-11-27T14:34:46.123456Z"
    assert stored_time("2026-11-27 14:34:46.123456") == spelled  # SQLite, as stored
    assert stored_time(spelled) == spelled  # PostgreSQL's to_char
    assert stored_time("2026-11-27 14:34:46") == "2026-11-27T14:34:46.000000Z"
    assert stored_time(datetime(2026, 11, 27, 14, 34, 46, 123456)) == spelled
    assert stored_time(datetime(2026, 11, 27, 14, 34, 46, 123456, tzinfo=UTC)) == spelled
    assert stored_time(None) is None
