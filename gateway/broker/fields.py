"""Checking answers against an entry's field definitions, and masking (脱敏) per grant.

Masking rules follow common practice for Chinese government data (e.g. GB/T 35273 annex on
de-identification): names keep the first character (张**), ID numbers the first 6 and last
4 characters, phone numbers the first 3 and last 4, addresses the first 6 characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from gateway.broker.errors import InvalidParameters, MalformedProviderAnswer
from gateway.catalog.model import EntrySpec, FieldSpec, ParameterSpec

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _type_ok(kind: str, value: Any) -> bool:
    if value is None:
        return True
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, str) and bool(_DATE.match(value))
    return False


def check_parameters(spec: EntrySpec, params: dict[str, Any]) -> None:
    declared: dict[str, ParameterSpec] = {p.name: p for p in spec.parameters}
    problems = [f"{name}: not a parameter of {spec.id}" for name in params if name not in declared]
    for name, parameter in declared.items():
        if name not in params:
            if parameter.required:
                problems.append(f"{name}: required")
        elif params[name] is None or not _type_ok(parameter.type, params[name]):
            problems.append(f"{name}: must be {parameter.type}")
    if declared and not params:
        problems.append("give at least one parameter")
    if problems:
        raise InvalidParameters("the parameters do not fit the entry", problems=problems)


def check_answer(spec: EntrySpec, data: object) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise MalformedProviderAnswer("the answer's data is not an object")
    declared = {f.name: f for f in spec.fields}
    problems = [f"{name}: not a field of {spec.id}" for name in data if name not in declared]
    problems += [
        f"{name}: must be {field.type}"
        for name, field in declared.items()
        if name in data and not _type_ok(field.type, data[name])
    ]
    if problems:
        raise MalformedProviderAnswer("the answer does not match the entry", problems=problems)
    return data


def mask_value(rule: str, value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if rule == "name":
        return value[0] + "*" * (len(value) - 1)
    if rule == "id_number":
        return (
            value[:6] + "*" * max(len(value) - 10, 0) + value[-4:]
            if len(value) > 10
            else "*" * len(value)
        )
    if rule == "phone":
        return (
            value[:3] + "*" * max(len(value) - 7, 0) + value[-4:]
            if len(value) > 7
            else "*" * len(value)
        )
    if rule == "address":
        return value[:6] + "*" * max(len(value) - 6, 0)
    return value


def project(spec: EntrySpec, data: dict[str, Any], allowed: Iterable[str] | None) -> dict[str, Any]:
    """What the consumer may see: granted fields in clear, other personal fields masked,
    other fields left out. ``allowed`` None means every field (unconditional entries)."""
    clear = set(allowed) if allowed is not None else {f.name for f in spec.fields}
    shown: dict[str, Any] = {}
    for field in spec.fields:
        if field.name not in data:
            continue
        value = data[field.name]
        if field.name in clear and not (allowed is None and field.personal):
            shown[field.name] = value
        elif field.personal:
            shown[field.name] = mask_value(_rule(field), value)
    return shown


def _rule(field: FieldSpec) -> str:
    return field.masking if field.masking != "none" else "name"
