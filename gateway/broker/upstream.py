"""Entries answered through the parent gateway (docs/federation.md): the port the broker uses.

An entry mirrored from the parent has the ``upstream`` connector. The broker authorises it as
any entry (the local grant), bounds it by the parent's grant to this gateway
(:meth:`Upstream.granted_fields`), logs the request, and asks the parent, which brokers it
with its own evidence and receipt. What comes back is checked against the parent's receipt
before anything is shown, and the receipts of every level above travel with the answer as its
``upstream`` trail, nearest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from gateway.catalog.model import Entry


@dataclass(frozen=True)
class ForwardedQuery:
    request_id: str
    consumer: str
    purpose: str | None
    params: dict[str, Any]
    case_ref: str | None
    fields: list[str] | None


@dataclass(frozen=True)
class UpstreamAnswer:
    """The parent's receipted answer: its HTTP status, its decision and reason (receipted),
    its data when allowed, and the receipts of every level above, nearest first."""

    status: int
    decision: str
    reason: str | None
    data: dict[str, Any] | None
    trail: list[dict[str, Any]]
    digest: str


class Upstream(Protocol):
    def granted_fields(self, entry_id: str, matter_code: str) -> tuple[str, ...] | None:
        """The fields the parent lets this gateway see of ``entry_id`` for the matter, or None
        when no usable grant of the parent covers it."""
        ...

    def ask(self, entry: Entry, query: ForwardedQuery) -> UpstreamAnswer:
        """Forward the query; raises :class:`gateway.broker.errors.UpstreamUnavailable` or
        :class:`gateway.broker.errors.BadUpstreamReceipt` when no checked answer came back."""
        ...
