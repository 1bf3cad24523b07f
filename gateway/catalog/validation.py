"""JSON Schema of a catalogue entry definition: what a provider may publish."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from gateway.catalog.errors import InvalidEntry
from gateway.catalog.model import FIELD_TYPES, MASKING_RULES
from gateway.privacy.classes import DATA_CLASSES, DataClass, legacy_data_class

_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,31}$"}

ENTRY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "alliance catalogue entry",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "provider", "name", "sharing_class", "service", "fields"],
    "properties": {
        "id": {
            "type": "string",
            "pattern": "^([A-Z][A-Z0-9_]{1,15}:)?[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$",
            "maxLength": 32,
        },
        "provider": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]{1,15}$"},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "name_en": {"type": "string", "maxLength": 200},
        "description": {"type": "string", "maxLength": 4000},
        "sharing_class": {"enum": ["unconditional", "conditional", "not_shared"]},
        "update_frequency": {
            "enum": ["realtime", "daily", "weekly", "monthly", "quarterly", "yearly", ""]
        },
        "service": {
            "type": "object",
            "additionalProperties": False,
            "required": ["connector", "path"],
            "properties": {
                "connector": {"enum": ["http", "upstream"]},
                "path": {"type": "string", "pattern": "^/[A-Za-z0-9/_.:-]*$", "maxLength": 200},
            },
        },
        "parameters": {
            "type": "array",
            "maxItems": 32,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "type"],
                "properties": {
                    "name": _NAME,
                    "type": {"enum": list(FIELD_TYPES)},
                    "description": {"type": "string", "maxLength": 500},
                    "required": {"type": "boolean"},
                    "personal": {"type": "boolean"},
                },
            },
        },
        "fields": {
            "type": "array",
            "minItems": 1,
            "maxItems": 128,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "type"],
                "properties": {
                    "name": _NAME,
                    "type": {"enum": list(FIELD_TYPES)},
                    "description": {"type": "string", "maxLength": 500},
                    "data_class": {"enum": list(DATA_CLASSES)},
                    "personal": {"type": "boolean"},
                    "masking": {"enum": list(MASKING_RULES)},
                },
            },
        },
    },
}

_VALIDATOR = Draft202012Validator(ENTRY_SCHEMA)


def validate_entry_document(document: dict[str, Any]) -> None:
    """Raise :class:`InvalidEntry` listing every schema violation and duplicate name."""
    problems = [
        f"{'/'.join(map(str, error.absolute_path)) or '(entry)'}: {error.message}"
        for error in sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
    for group in ("fields", "parameters"):
        names = [item.get("name") for item in document.get(group, []) if isinstance(item, dict)]
        duplicates = sorted({n for n in names if names.count(n) > 1 and n is not None})
        if duplicates:
            problems.append(f"{group}: duplicate names {', '.join(duplicates)}")
    for item in document.get("fields", []):
        if isinstance(item, dict):
            problems += _data_class_problems(item)
    if problems:
        raise InvalidEntry("the entry definition is invalid", problems=problems)


def _data_class_problems(item: dict[str, Any]) -> list[str]:
    """A field's ``data_class`` and the older ``personal``/``masking`` must not disagree."""
    where = f"fields/{item.get('name')}"
    if item.get("masking", "none") != "none" and not item.get("personal", False):
        return [f"{where}: a masking rule needs personal = true"]
    if item.get("data_class") not in DATA_CLASSES or not ({"personal", "masking"} & set(item)):
        return []
    declared = DataClass(item["data_class"])
    legacy = legacy_data_class(bool(item.get("personal", False)), item.get("masking", "none"))
    if legacy.personal != declared.personal or (
        "masking" in item and item["masking"] != "none" and legacy is not declared
    ):
        return [f"{where}: data_class {declared.value} contradicts personal/masking"]
    return []
