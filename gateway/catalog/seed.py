"""Reading entry definitions from TOML or JSON (conf/catalog.toml, alliance catalog publish)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gateway.catalog.model import EntrySpec, FieldSpec, ParameterSpec, ServiceBinding, SharingClass
from gateway.privacy.classes import DataClass, legacy_data_class


class CatalogSeedError(ValueError):
    code = "invalid_catalog_entry"


def entry_from_mapping(data: Mapping[str, Any]) -> EntrySpec:
    """Build an :class:`EntrySpec` from its JSON/TOML form (validated again by the service)."""
    try:
        service = data["service"]
        return EntrySpec(
            id=str(data["id"]),
            provider=str(data["provider"]),
            name=str(data["name"]),
            name_en=str(data.get("name_en", "")),
            description=str(data.get("description", "")),
            sharing_class=SharingClass(data["sharing_class"]),
            update_frequency=str(data.get("update_frequency", "")),
            service=ServiceBinding(connector=str(service["connector"]), path=str(service["path"])),
            parameters=tuple(ParameterSpec(**dict(p)) for p in data.get("parameters", [])),
            fields=tuple(field_from_mapping(f) for f in data.get("fields", [])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogSeedError(f"invalid catalogue entry {data.get('id', '?')!r}: {exc}") from exc


def field_from_mapping(data: Mapping[str, Any]) -> FieldSpec:
    """A field by its ``data_class``, or, for an entry published before data classes, by
    its ``personal`` flag and ``masking`` rule."""
    if "data_class" in data:
        data_class = DataClass(data["data_class"])
    else:
        data_class = legacy_data_class(bool(data.get("personal", False)), data.get("masking", ""))
    return FieldSpec(
        name=str(data["name"]),
        type=str(data["type"]),
        description=str(data.get("description", "")),
        data_class=data_class,
    )


def load_catalog_seed(path: Path) -> list[EntrySpec]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogSeedError(f"cannot read catalogue seed {path}: {exc}") from exc
    return [entry_from_mapping(entry) for entry in data.get("entry", [])]
