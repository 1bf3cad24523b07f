"""Checking answers against an entry's field definitions, and masking (脱敏) per grant.

What is masked, and how, follows each field's data class (:mod:`gateway.privacy`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from gateway.broker.errors import InvalidParameters, MalformedProviderAnswer
from gateway.catalog.model import EntrySpec, ParameterSpec
from gateway.privacy.masking import shown_value

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


def check_answer(spec: EntrySpec, data: object, *, types: bool = True) -> dict[str, Any]:
    """An object of the entry's fields only, each of its declared type. ``types=False`` for
    the parent gateway's data: the parent checked the values against the same definition,
    then masked them for this gateway (a masked date is no longer a date)."""
    if not isinstance(data, dict):
        raise MalformedProviderAnswer("the answer's data is not an object")
    declared = {f.name: f for f in spec.fields}
    problems = [f"{name}: not a field of {spec.id}" for name in data if name not in declared]
    problems += [
        f"{name}: must be {field.type}"
        for name, field in declared.items()
        if types and name in data and not _type_ok(field.type, data[name])
    ]
    if problems:
        raise MalformedProviderAnswer("the answer does not match the entry", problems=problems)
    return data


def project(spec: EntrySpec, data: dict[str, Any], allowed: Iterable[str] | None) -> dict[str, Any]:
    """What the consumer may see: granted fields in clear, other fields of a personal data
    class masked, other fields left out; ``allowed`` None (an unconditional entry without a
    grant) shows the non-personal fields and masks the personal ones. Whatever a field's
    class, a resident identity number in it is masked unless the field is declared a personal
    identifier and granted in clear (:func:`gateway.privacy.masking.shown_value`)."""
    granted = set(allowed) if allowed is not None else None
    shown: dict[str, Any] = {}
    for field in spec.fields:
        if field.name not in data:
            continue
        clear = granted is not None and field.name in granted
        if not (clear or field.personal or granted is None):
            continue
        shown[field.name] = shown_value(field.data_class, data[field.name], clear=clear)
    return shown
