"""Shared pieces of the catalogue's route modules: the acting member and entry views."""

from __future__ import annotations

from typing import Any

from flask import current_app

from gateway.catalog.actors import Actor
from gateway.catalog.model import Entry
from gateway.oauth.resource import current_token


def services() -> Any:
    return current_app.extensions["alliance"]


def current_actor() -> Actor:
    token = current_token()
    return Actor(
        member=token.member_code,
        is_office=services().member_directory.is_office(token.member_code),
        label=f"{token.member_code}/{token.client_id}",
    )


def entry_view(entry: Entry) -> dict[str, Any]:
    document = entry.spec.document()
    document["fields_"] = document.pop("fields")
    return {
        **document,
        "sharing_class_zh": entry.spec.sharing_class.label_zh,
        "status": entry.status.value,
        "version": entry.version,
        "version_hash": entry.version_hash,
        "previous_hash": entry.previous_hash,
        "updated_at": entry.updated_at,
    }


def entry_document(loaded: dict[str, Any]) -> dict[str, Any]:
    """A loaded :class:`EntryDocumentSchema` back into the entry's JSON form."""
    document = dict(loaded)
    document["fields"] = document.pop("fields_")
    return document
