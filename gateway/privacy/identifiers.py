"""Recognising a 公民身份号码 (PRC resident identity number, GB 11643-1999) in any value.

The value-level safety net of masking: whatever class a field declares, a value shaped like a
resident identity number is treated as a personal identifier. Shaped like one means: 17 digits
(the first not 0) whose 7th-14th form a real calendar date, then the ISO 7064 MOD 11-2 check
character of those 17 (a digit, or X for 10; a lower-case x is accepted here, as people type
it), not part of a longer run of letters or digits.
"""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CHECK = "10X98765432"  # check character for (weighted sum mod 11) = 0..10
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of 17 ASCII digits (GB 11643-1999 §5.2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def is_resident_id(candidate: str) -> bool:
    """Whether the 18 characters ``candidate`` are a well-formed 公民身份号码."""
    if len(candidate) != 18 or not _CANDIDATE.fullmatch(candidate):
        return False
    try:
        date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        return False
    return check_character(candidate[:17]) == candidate[17].upper()


def find_resident_ids(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the resident identity numbers inside ``text``."""
    return [m.span() for m in _CANDIDATE.finditer(text) if is_resident_id(m.group())]


def carries_resident_id(value: object) -> bool:
    """Whether a JSON value is, or contains, a resident identity number."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return is_resident_id(str(value))
    if isinstance(value, str):
        return bool(find_resident_ids(value))
    return False
