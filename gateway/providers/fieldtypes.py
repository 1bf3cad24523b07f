"""The catalogue's field types on the wire, and checking an answer against its entry.

A catalogue field or parameter is one of ``string``, ``integer``, ``number``, ``boolean`` or
``date``; in JSON they are a string, an integer, any number, ``true``/``false``, and a string
``YYYY-MM-DD`` (ISO 8601 calendar date) respectively. Booleans are never numbers here, though
Python's ``bool`` is an ``int``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from gateway.catalog.model import EntrySpec

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_date_string(value: object) -> bool:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def has_type(type_name: str, value: object) -> bool:
    """Whether ``value`` (as decoded from JSON) is of the catalogue type ``type_name``."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "date":
        return is_date_string(value)
    return False


def answer_problems(entry: EntrySpec, data: Mapping[str, Any]) -> list[str]:
    """Why ``data`` is not a valid answer to ``entry`` (empty when it is): exactly the
    declared fields, each of its declared type."""
    problems = []
    declared = {spec.name: spec.type for spec in entry.fields}
    for name in sorted(set(data) - set(declared)):
        problems.append(f"undeclared field {name!r}")
    for name, type_name in declared.items():
        if name not in data:
            problems.append(f"missing field {name!r}")
        elif not has_type(type_name, data[name]):
            problems.append(f"field {name!r} is not a {type_name}")
    return problems


def wrong_value(type_name: str) -> Any:
    """A value that is *not* of ``type_name`` (for the ``malformed`` fault)."""
    return {
        "string": 20261231,
        "integer": "twelve",
        "number": "1,234.50",
        "boolean": "是",
        "date": "2026/13/45",
    }.get(type_name)
