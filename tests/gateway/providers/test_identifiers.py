"""公民身份号码 (GB 11643-1999), 统一社会信用代码 (GB 32100-2015), 组织机构代码 (GB 11714-1997)
and 不动产单元号 (GB/T 37346-2019) checks against published examples."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.providers.identifiers import (
    CREDIT_CODE_ALPHABET,
    IdentifierError,
    credit_code_check_character,
    id_number_check_character,
    is_valid_credit_code,
    is_valid_id_number,
    is_valid_unit_number,
    make_credit_code,
    make_id_number,
    make_unit_number,
    organization_code_check_character,
    validate_id_number,
)


@pytest.mark.parametrize(
    "id_number",
    [
        "11010519491231002X",  # the example of GB 11643-1999 (check character X)
        "440524188001010014",  # the standard's second example
    ],
)
def test_published_id_numbers_are_valid(id_number: str) -> None:
    assert is_valid_id_number(id_number)
    assert id_number_check_character(id_number[:17]) == id_number[17]


@pytest.mark.parametrize(
    "id_number",
    [
        "110105194912310021",  # wrong check character
        "11010519491231002x",  # lower-case x is not the standard's form
        "11010519491331002X",  # month 13
        "11010519490230002X",  # 30 February
        "01010519491231002X",  # address code cannot start with 0
        "1101051949123100",  # too short
        "１１０１０５１９４９１２３１００２X",  # full-width digits
    ],
)
def test_malformed_id_numbers_are_refused(id_number: str) -> None:
    assert not is_valid_id_number(id_number)
    with pytest.raises(IdentifierError) as raised:
        validate_id_number(id_number)
    assert raised.value.code == "invalid_identifier"


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=16),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_error_is_detected(
    born: date, sequence: int, position: int, delta: int
) -> None:
    """ISO 7064 MOD 11-2 detects every single substitution in the first 17 digits."""
    id_number = make_id_number("320102", born, sequence)
    assert is_valid_id_number(id_number)
    digits = list(id_number)
    digits[position] = str((int(digits[position]) + delta) % 10)
    changed = "".join(digits)
    assert id_number_check_character(changed[:17]) != id_number[17]


@pytest.mark.parametrize(
    "credit_code",
    [
        "91350100M000100Y43",  # the example of GB 32100-2015
        "914403001922038216",  # published on a business licence
        "9144030071526726XG",
        "91330100716105852F",
    ],
)
def test_published_credit_codes_are_valid(credit_code: str) -> None:
    assert is_valid_credit_code(credit_code)


def test_organization_code_check_character_known_answers() -> None:
    # GB 11714-1997: the organisation codes inside the two credit codes above
    assert organization_code_check_character("M000100Y") == "4"
    assert organization_code_check_character("19220382") == "1"


@pytest.mark.parametrize(
    "credit_code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100I43",  # I is not in the alphabet
        "91350100m000100Y43",  # lower case
    ],
)
def test_malformed_credit_codes_are_refused(credit_code: str) -> None:
    assert not is_valid_credit_code(credit_code)


@given(
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=8, max_size=8),
    st.integers(min_value=0, max_value=16),
    st.integers(min_value=1, max_value=30),
)
def test_composed_credit_codes_validate_and_detect_substitution(
    body: str, position: int, delta: int
) -> None:
    code = make_credit_code("91", "320102", body)
    assert is_valid_credit_code(code)
    assert code[8:16] == body and code[16] == organization_code_check_character(body)
    chars = list(code)
    index = CREDIT_CODE_ALPHABET.index(chars[position])
    chars[position] = CREDIT_CODE_ALPHABET[(index + delta) % 31]
    assert credit_code_check_character("".join(chars[:17])) != code[17]


def test_unit_number_layout() -> None:
    unit = make_unit_number("320102", 3, 5, "GB", 123, 12, 1102)
    assert unit == "320102003005GB00123F00121102"
    assert len(unit) == 28 and is_valid_unit_number(unit)
    assert is_valid_unit_number("320102003005JC00001W00000000")  # 宅基地, no fixture yet


@pytest.mark.parametrize(
    "unit_number",
    [
        "320102003005GB00123F0012110",  # 27 characters
        "320102003005GB00123X00121102",  # X is no 定着物特征码
        "320102003005QB00123F00121102",  # Q is no 宗地特征码 ownership letter
        "320102003005GB00123W00121102",  # W (no fixture) must end in zeros
        "320000003005GB00123F00121102",  # a province code, not a county-level one
        "320102003005gb00123F00121102",
    ],
)
def test_malformed_unit_numbers_are_refused(unit_number: str) -> None:
    assert not is_valid_unit_number(unit_number)
