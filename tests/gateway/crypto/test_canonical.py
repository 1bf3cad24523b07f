"""RFC 8785 canonical JSON (test cases from RFC 8785 section 3.2) and the message digest."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.crypto.canonical import canonical_json, message_digest
from gateway.crypto.errors import CanonicalJsonError
from gateway.crypto.hashing import sm3


def test_rfc_8785_section_3_2_2_example() -> None:
    source = json.loads(
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(source) == expected.encode("utf-8")


def test_rfc_8785_section_3_2_3_property_sorting_by_utf16() -> None:
    source = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(json.loads(canonical_json(source)).keys())
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (123456789012345680.0, "123456789012345680"),
        (5e-324, "5e-324"),
    ],
)
def test_rfc_8785_number_serialisation(number: float, text: str) -> None:
    assert canonical_json(number) == text.encode()


@pytest.mark.parametrize("value", [math.nan, math.inf, 2**53, {1: "x"}, b"bytes", object()])
def test_values_without_a_canonical_form_are_typed_errors(value: object) -> None:
    with pytest.raises(CanonicalJsonError):
        canonical_json(value)


def test_message_digest_is_sm3_of_canonical_form() -> None:
    value = {"b": [1, 2], "a": "值"}
    assert message_digest(value) == sm3('{"a":"值","b":[1,2]}'.encode())
    assert message_digest({"a": "值", "b": [1, 2]}) == message_digest(value)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=15,
)


def _json_number(text: str) -> int | float:
    """JSON numbers are IEEE doubles (RFC 8785 3.2.2.3); keep small integers as int."""
    value = int(text)
    return value if abs(value) < 2**53 else float(value)


@given(value=json_values)
def test_canonical_form_is_stable_json(value: object) -> None:
    encoded = canonical_json(value)
    assert canonical_json(json.loads(encoded, parse_int=_json_number)) == encoded
