"""Masking (脱敏) of field values by data class, and the resident-ID safety net.

Rules follow common practice for Chinese government data (GB/T 35273-2020 annex; GB/T
37964-2019 de-identification): names keep the first character (张**), identifiers the first 6
and last 4 characters (320102********1234), phone numbers the first 3 and last 4
(138****5678), addresses the first 6 characters; other personal facts are withheld whole.
"""

from __future__ import annotations

from typing import Any

from gateway.privacy.classes import DataClass
from gateway.privacy.identifiers import carries_resident_id, find_resident_ids


def _keep_ends(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_value(data_class: DataClass, value: Any) -> Any:
    """``value`` as a consumer without a clear grant may see it. Strings keep the characters
    their class's rule keeps; a personal value that is not a string is withheld (None)."""
    if not data_class.personal or value is None or value == "":
        return value
    if not isinstance(value, str):
        return None
    if data_class is DataClass.PERSONAL_NAME:
        return value[0] + "*" * (len(value) - 1)
    if data_class is DataClass.PERSONAL_IDENTIFIER:
        return _keep_ends(value, 6, 4)
    if data_class is DataClass.PERSONAL_PHONE:
        return _keep_ends(value, 3, 4)
    if data_class is DataClass.PERSONAL_ADDRESS:
        return value[:6] + "*" * max(len(value) - 6, 0)
    return "*" * len(value)


def redact_identifiers(value: Any) -> Any:
    """``value`` with every resident identity number in it masked as a personal identifier;
    an integer that is one is withheld (None). Other values are returned as they are."""
    if not carries_resident_id(value):
        return value
    if not isinstance(value, str):
        return None
    shown, last = [], 0
    for start, end in find_resident_ids(value):
        shown += [value[last:start], mask_value(DataClass.PERSONAL_IDENTIFIER, value[start:end])]
        last = end
    return "".join([*shown, value[last:]])


def shown_value(data_class: DataClass, value: Any, *, clear: bool) -> Any:
    """What a consumer sees of one field's value.

    ``clear`` means the consumer's grant allows this field in clear. A personal field is
    masked unless it is; a resident identity number is shown in clear only from a field
    *declared* a personal identifier whose grant allows it in clear: a grant that allows a
    field declared not to carry identifiers never allowed one, so the safety net masks it."""
    if data_class.personal and not clear:
        return mask_value(data_class, value)
    if clear and data_class is DataClass.PERSONAL_IDENTIFIER:
        return value
    return redact_identifiers(value)
