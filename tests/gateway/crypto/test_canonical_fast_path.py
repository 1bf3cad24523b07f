"""The float-free fast path of canonical_json gives exactly the bytes of the rfc8785 package."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.crypto.canonical import canonical_json

_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]),  # no lone surrogates
    max_size=12,
)
_scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | _text
_json = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(_text, children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=600)
@given(_json)
def test_fast_path_equals_rfc8785(value: object) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


def test_control_characters_quotes_and_astral_keys() -> None:
    value = {"\U0001f600": 1, "\ue000": 2, 'a\nb\u0001"\\/\u007f\u2028': ["\t\b\f\r", "中文"]}
    assert canonical_json(value) == rfc8785.dumps(value)
