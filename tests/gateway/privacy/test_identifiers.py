"""Recognising 公民身份号码 (GB 11643-1999) by shape and check character: known answers."""

from __future__ import annotations

import pytest

from gateway.privacy.identifiers import (
    carries_resident_id,
    check_character,
    find_resident_ids,
    is_resident_id,
)

# GB 11643-1999's own examples (§ 8): 11010519491231002X and 440524188001010014; the
# others are synthetic, their check characters worked by hand with ISO 7064 MOD 11-2.
VALID = [
    "11010519491231002X",
    "440524188001010014",
    "110101199003077336",
    "320102198001010016",
]
WRONG_CHECK = [
    "110105194912310021",  # X expected
    "440524188001010015",  # 4 expected
    "110101199003077330",  # 6 expected
    "320102198001010013",  # 6 expected
    "32010219800101001X",  # 6 expected
]
NOT_SHAPED = [
    "01010519491231002X",  # leads with 0
    "1101051949123100",  # 16 characters
    "1101051949123100212",  # 19 digits
    "110105194913310025",  # month 13
    "110105194902300027",  # 30 February
    "11010519491231002Y",  # Y is not a check character
    "",
]


@pytest.mark.parametrize(("first17", "check"), [(v[:17], v[17]) for v in VALID])
def test_check_character_known_answers(first17: str, check: str) -> None:
    assert check_character(first17) == check


@pytest.mark.parametrize("value", VALID)
def test_valid_numbers_are_recognised(value: str) -> None:
    assert is_resident_id(value)
    assert carries_resident_id(value)


def test_a_lower_case_x_is_recognised_too() -> None:
    assert is_resident_id("11010519491231002x")


@pytest.mark.parametrize("value", WRONG_CHECK + NOT_SHAPED)
def test_wrong_check_characters_and_other_shapes_are_not(value: str) -> None:
    assert not is_resident_id(value)
    assert not carries_resident_id(value)


def test_numbers_inside_text_are_found_but_not_inside_longer_codes() -> None:
    text = "持证人 440524188001010014，配偶11010519491231002X。"
    spans = find_resident_ids(text)
    assert [text[a:b] for a, b in spans] == ["440524188001010014", "11010519491231002X"]
    assert find_resident_ids("A440524188001010014") == []
    assert find_resident_ids("4405241880010100149") == []
    assert find_resident_ids("0x440524188001010014ab") == []


def test_json_values_other_than_text() -> None:
    assert carries_resident_id(440524188001010014)
    assert not carries_resident_id(440524188001010015)
    assert not carries_resident_id(True)
    assert not carries_resident_id(None)
    assert not carries_resident_id(3.5)
