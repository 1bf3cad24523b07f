"""What changed between two versions of a record, field by field (历史变化).

Content and metadata are flattened to paths (``content.owner.name``, ``content.rooms[1]``),
so a nested change shows as the one field that changed rather than a whole new document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
FACT_FIELDS = ("record_type", "data_source", "organisation", "uploader")


@dataclass(frozen=True)
class FieldChange:
    path: str
    kind: str  # added, removed or changed
    before: str | None
    after: str | None


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def flatten(value: Any, prefix: str) -> dict[str, str]:
    """Leaf paths of a JSON value and their values as text (empty containers are leaves)."""
    leaves: dict[str, str] = {}
    if isinstance(value, dict) and value:
        for key in sorted(value):
            leaves.update(flatten(value[key], f"{prefix}.{key}"))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            leaves.update(flatten(item, f"{prefix}[{index}]"))
    else:
        leaves[prefix] = _shown(value)
    return leaves


def version_fields(version: Any) -> dict[str, str]:
    """Every field a reader compares: the facts, then content and metadata leaves."""
    fields = {name: _shown(getattr(version, name)) for name in FACT_FIELDS}
    if not getattr(version, "deleted", False):
        fields.update(flatten(version.content, "content"))
    if version.metadata:
        fields.update(flatten(version.metadata, "metadata"))
    return fields


def diff(before: dict[str, str] | None, after: dict[str, str]) -> list[FieldChange]:
    """Changes from ``before`` to ``after`` (``None``: the first version, nothing to compare)."""
    if before is None:
        return []
    changes = []
    for path in sorted(set(before) | set(after), key=_path_order):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        kind = ADDED if old is None else REMOVED if new is None else CHANGED
        changes.append(FieldChange(path, kind, old, new))
    return changes


def _path_order(path: str) -> tuple[int, str]:
    group = path.split(".", 1)[0].split("[", 1)[0]
    rank = {"content": 1, "metadata": 2}.get(group, 0)
    return rank, path


def side_by_side(versions: list[Any]) -> tuple[list[str], list[list[str | None]]]:
    """Rows of ``(path, value in v0, value in v1, …)`` over the union of every version's fields."""
    per_version = [version_fields(v) for v in versions]
    paths: set[str] = set()
    for fields in per_version:
        paths.update(fields)
    ordered = sorted(paths, key=_path_order)
    return ordered, [[fields.get(path) for fields in per_version] for path in ordered]
