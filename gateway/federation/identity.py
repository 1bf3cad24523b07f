"""Who is who in a hierarchy: a node's identity, the parent's link, and entry ids across levels.

A child introduces itself with an **identity** document signed by its gateway key; the parent
registers it and answers with a **link** document signed by the parent's gateway key, naming
the OAuth client the child authenticates with (``private_key_jwt``, with the same key: no
secret crosses between levels). The link is kept in ``<data_dir>/federation/parent.json``.

An entry ``E`` of a parent ``P`` is ``P:E`` in the child's catalogue; an entry that is already
qualified (``N:E``, mirrored by ``P`` from its own parent ``N``) keeps its id, so an id names
the node whose departments answer it at every level below that node.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.catalog.model import NODE_SEPARATOR
from gateway.crypto.sm2 import Sm2PrivateKey, Sm2PublicKey
from gateway.federation.documents import open_document, sign_document, stamp, text_field
from gateway.federation.errors import FederationNotConfigured, MalformedFederationDocument
from gateway.members.model import CODE_PATTERN

LINK_DIR = "federation"
LINK_FILE = "parent.json"
ENTRY_ID_LIMIT = 32


def qualify(parent: str, entry_id: str) -> str:
    """The id a parent's entry has in the child's catalogue."""
    return entry_id if NODE_SEPARATOR in entry_id else f"{parent}{NODE_SEPARATOR}{entry_id}"


def origin_of(entry_id: str) -> str | None:
    """The node a qualified id names (``None`` for this gateway's own entries)."""
    return entry_id.split(NODE_SEPARATOR, 1)[0] if NODE_SEPARATOR in entry_id else None


@dataclass(frozen=True)
class Identity:
    """A node introducing itself to its future parent."""

    node: str
    name: str
    url: str
    public_key: Sm2PublicKey

    @classmethod
    def sign(cls, node: str, name: str, url: str, key: Sm2PrivateKey) -> dict[str, Any]:
        body = {
            "identity_version": 1,
            "node": node,
            "name": name or node,
            "url": url,
            "issued_at": stamp(datetime.now(UTC)),
        }
        return sign_document(body, key)

    @classmethod
    def open(cls, document: object) -> Identity:
        signed = open_document(document, "identity_version")
        return cls(
            node=text_field(signed.body, "node", pattern=CODE_PATTERN),
            name=text_field(signed.body, "name", limit=200),
            url=text_field(signed.body, "url").rstrip("/"),
            public_key=signed.public_key,
        )


@dataclass(frozen=True)
class ParentLink:
    """What a child knows of its parent: address, issuer, key, and its own client there."""

    child: str
    client_id: str
    parent: str
    parent_name: str
    url: str
    issuer: str
    public_key: Sm2PublicKey
    document: dict[str, Any]

    @classmethod
    def sign(
        cls,
        *,
        child: str,
        client_id: str,
        parent: str,
        parent_name: str,
        url: str,
        issuer: str,
        key: Sm2PrivateKey,
    ) -> dict[str, Any]:
        body = {
            "link_version": 1,
            "child": child,
            "client_id": client_id,
            "parent": {"node": parent, "name": parent_name, "url": url, "issuer": issuer},
            "issued_at": stamp(datetime.now(UTC)),
        }
        return sign_document(body, key)

    @classmethod
    def open(cls, document: object) -> ParentLink:
        signed = open_document(document, "link_version")
        parent = signed.body.get("parent")
        if not isinstance(parent, dict):
            raise MalformedFederationDocument("parent must be an object")
        return cls(
            child=text_field(signed.body, "child", pattern=CODE_PATTERN),
            client_id=text_field(signed.body, "client_id", limit=64),
            parent=text_field(parent, "node", pattern=CODE_PATTERN),
            parent_name=text_field(parent, "name", limit=200),
            url=text_field(parent, "url").rstrip("/"),
            issuer=text_field(parent, "issuer").rstrip("/"),
            public_key=signed.public_key,
            document=signed.raw,
        )


class LinkFile:
    """``<data_dir>/federation/parent.json``: the link document this gateway joined with."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LINK_DIR / LINK_FILE
        self._cached: tuple[float, ParentLink] | None = None

    def exists(self) -> bool:
        return self.path.is_file()

    def read(self) -> ParentLink:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise FederationNotConfigured(
                "this gateway has not joined a parent (alliance sync join LINK.json)"
            ) from exc
        except (OSError, ValueError) as exc:
            raise MalformedFederationDocument(f"cannot read {self.path}: {exc}") from exc
        return ParentLink.open(document)

    def current(self) -> ParentLink:
        """:meth:`read`, checked again only when the file changed (every forwarded query asks)."""
        try:
            changed = self.path.stat().st_mtime
        except FileNotFoundError:
            changed = -1.0
        cached = self._cached
        if cached is None or cached[0] != changed:
            cached = (changed, self.read())
            self._cached = cached
        return cached[1]

    def write(self, document: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(temporary, self.path)
