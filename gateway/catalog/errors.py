"""Catalogue and grant errors, each with a stable code (see docs/catalog.md)."""

from __future__ import annotations

from gateway.errors import Conflict, GatewayError, NotFound


class InvalidEntry(GatewayError):
    code = "invalid_catalog_entry"
    status = 422
    title = "Invalid catalogue entry"


class EntryNotFound(NotFound):
    code = "catalog_entry_not_found"
    title = "No such catalogue entry"


class EntryExists(Conflict):
    code = "catalog_entry_exists"
    title = "Catalogue entry already exists"


class EntryRetired(Conflict):
    code = "catalog_entry_retired"
    title = "Catalogue entry is retired"


class EntryMirrored(Conflict):
    """A parent's entry mirrored here: only the federation sync publishes or changes it."""

    code = "catalog_entry_mirrored"
    title = "The entry is the parent gateway's"


class NotEntryOwner(GatewayError):
    code = "not_entry_owner"
    status = 403
    title = "Only the entry's provider or the office may do this"


class StaleVersion(GatewayError):
    code = "stale_entry_version"
    status = 412
    title = "The entry changed since you read it"


class NotShared(GatewayError):
    code = "entry_not_shared"
    status = 409
    title = "This entry is not shared (不予共享)"


class GrantNotFound(NotFound):
    code = "grant_not_found"
    title = "No such grant"


class IllegalGrantTransition(Conflict):
    code = "illegal_grant_transition"
    title = "The grant's state forbids this"


class InvalidGrant(GatewayError):
    code = "invalid_grant"
    status = 422
    title = "Invalid grant"


class CatalogLedgerRefused(GatewayError):
    code = "catalog_ledger_refused"
    status = 409
    title = "The chain refused the change"
