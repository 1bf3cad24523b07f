"""The national identifiers the departments' systems key their records by, with their checks.

* 公民身份号码 (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit sequence
  (odd for men, even for women) and a check character computed with ISO 7064 MOD 11-2.
* 统一社会信用代码 (GB 32100-2015): registration authority, organisation category, 6-digit
  administrative division, 9-character organisation code (GB 11714-1997, itself with a check
  character) and a check character computed modulo 31 over the alphabet without I, O, S, V, Z.
* 不动产单元号 (GB/T 37346-2019 不动产单元设定与代码编制规则): 19-character 宗地/宗海代码
  (6-digit county-level division, 3-digit 地籍区, 3-digit 地籍子区, 2-letter 宗地特征码,
  5-digit 宗地顺序号) followed by the 9-character 定着物单元代码 (1-letter 定着物特征码 F/L/Q/W
  and 8 digits; for a house F + 4-digit 自然幢号 + 4-digit 户号, for none W00000000).
"""

from __future__ import annotations

import re
from datetime import date

from gateway.privacy.identifiers import check_character


class IdentifierError(ValueError):
    """An identifier is malformed or its check character is wrong."""

    code = "invalid_identifier"


# --- GB 11643-1999 公民身份号码 ---------------------------------------------------------------

_ID_PATTERN = re.compile(r"[1-9]\d{16}[\dX]")


def id_number_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643-1999 §5)."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise IdentifierError("a 公民身份号码 body is 17 digits")
    return check_character(first17)


def validate_id_number(value: str) -> str:
    """Return ``value`` if it is an 18-character 公民身份号码 with a real birth date and the
    right check character; raise :class:`IdentifierError` otherwise. Only an upper-case X is
    accepted as the check character ``10``."""
    if not _ID_PATTERN.fullmatch(value):
        raise IdentifierError("公民身份号码 must be 17 digits and a digit or X")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise IdentifierError("公民身份号码 carries an impossible birth date") from exc
    if id_number_check_character(value[:17]) != value[17]:
        raise IdentifierError("公民身份号码 check character is wrong")
    return value


def is_valid_id_number(value: str) -> bool:
    try:
        validate_id_number(value)
    except IdentifierError:
        return False
    return True


def make_id_number(address_code: str, born: date, sequence: int) -> str:
    """Compose a 公民身份号码; ``sequence`` (1-999) is odd for a man, even for a woman."""
    if not 1 <= sequence <= 999:
        raise IdentifierError("sequence code must be 001-999")
    body = f"{address_code}{born:%Y%m%d}{sequence:03d}"
    return body + id_number_check_character(body)


def id_number_birth_date(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_number_is_male(value: str) -> bool:
    return int(value[16]) % 2 == 1


# --- GB 32100-2015 统一社会信用代码 and GB 11714-1997 组织机构代码 ----------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters, value = index
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_CREDIT_PATTERN = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code_check_character(first17: str) -> str:
    """The GB 32100-2015 check character: 31 - (Σ value·3^i mod 31), 31 meaning 0."""
    if len(first17) != 17 or any(char not in CREDIT_CODE_ALPHABET for char in first17):
        raise IdentifierError("a 统一社会信用代码 body is 17 characters of its alphabet")
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def organization_code_check_character(first8: str) -> str:
    """The GB 11714-1997 check character of an 8-character 组织机构代码 body: 11 - (Σ mod 11),
    10 written X and 11 written 0; letters count as A=10 … Z=35."""
    if not re.fullmatch(r"[0-9A-Z]{8}", first8):
        raise IdentifierError("a 组织机构代码 body is 8 digits or upper-case letters")
    total = sum(int(char, 36) * weight for char, weight in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_credit_code(value: str) -> str:
    """Return ``value`` if it is an 18-character 统一社会信用代码 with the right GB 32100 check
    character; raise :class:`IdentifierError` otherwise. (The embedded organisation code's own
    check is not enforced: codes converted from older registrations do not always carry one.)"""
    if not _CREDIT_PATTERN.fullmatch(value):
        raise IdentifierError("统一社会信用代码 must be 18 characters of its alphabet")
    if credit_code_check_character(value[:17]) != value[17]:
        raise IdentifierError("统一社会信用代码 check character is wrong")
    return value


def is_valid_credit_code(value: str) -> bool:
    try:
        validate_credit_code(value)
    except IdentifierError:
        return False
    return True


def make_credit_code(authority_category: str, division: str, organization_body: str) -> str:
    """Compose a 统一社会信用代码 from e.g. ``"91"`` (工商, 企业), a 6-digit division and an
    8-character organisation code body (its GB 11714 check character is appended)."""
    organization = organization_body + organization_code_check_character(organization_body)
    body = f"{authority_category}{division}{organization}"
    return body + credit_code_check_character(body)


# --- GB/T 37346-2019 不动产单元号 -------------------------------------------------------------

PARCEL_OWNERSHIP = "GJZ"  # 国家 / 集体 / 争议 土地所有权
PARCEL_USE = "ABSXCDEFGHWY"  # e.g. B 建设用地使用权（地表）, C 宅基地使用权, H 海域使用权
FIXTURE_KINDS = "FLQW"  # F 房屋等建筑物, L 森林林木, Q 其他, W 无定着物
_UNIT_PATTERN = re.compile(r"(\d{6})(\d{3})(\d{3})([GJZ][ABSXCDEFGHWY])(\d{5})([FLQW])(\d{8})")


def validate_unit_number(value: str) -> str:
    """Return ``value`` if it has the 28-character layout of GB/T 37346-2019; raise
    :class:`IdentifierError` otherwise (``W`` must be followed by eight zeros)."""
    match = _UNIT_PATTERN.fullmatch(value)
    if match is None:
        raise IdentifierError(
            "不动产单元号 must be 6+3+3 digits, a 宗地特征码 such as GB, 5 digits, "
            "then F/L/Q/W and 8 digits (28 characters)"
        )
    if match.group(6) == "W" and match.group(7) != "00000000":
        raise IdentifierError("a 不动产单元号 without 定着物 ends with W00000000")
    if match.group(1)[2:] == "0000":
        raise IdentifierError("不动产单元号 starts with a county-level division code")
    return value


def is_valid_unit_number(value: str) -> bool:
    try:
        validate_unit_number(value)
    except IdentifierError:
        return False
    return True


def make_unit_number(
    division: str,
    cadastral_district: int,
    cadastral_subdistrict: int,
    parcel_feature: str,
    parcel_sequence: int,
    building: int,
    room: int,
) -> str:
    """A house's 不动产单元号: 宗地代码 + F + 4-digit 自然幢号 + 4-digit 户号."""
    value = (
        f"{division}{cadastral_district:03d}{cadastral_subdistrict:03d}{parcel_feature}"
        f"{parcel_sequence:05d}F{building:04d}{room:04d}"
    )
    return validate_unit_number(value)
