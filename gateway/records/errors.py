"""Records errors, each with a stable code (see docs/records.md and docs/errors.md)."""

from __future__ import annotations

from gateway.errors import Conflict, GatewayError, NotFound


class InvalidRecord(GatewayError):
    code = "invalid_record"
    status = 422
    title = "Invalid record"


class RecordNotFound(NotFound):
    code = "record_not_found"
    title = "No such record"


class RecordDeleted(GatewayError):
    code = "record_deleted"
    status = 410
    title = "The record was deleted"


class NotRecordOrganisation(GatewayError):
    code = "not_record_organisation"
    status = 403
    title = "Only the record's organisation or the office may do this"


class RecordVersionMismatch(GatewayError):
    code = "record_version_mismatch"
    status = 412
    title = "The record changed since you read it"


class RecordLedgerRefused(GatewayError):
    code = "record_ledger_refused"
    status = 409
    title = "The chain refused the record version"


class RecordStoreConflict(Conflict):
    code = "record_store_conflict"
    title = "The record store and the chain disagree"


class InvalidBundle(GatewayError):
    code = "invalid_record_bundle"
    status = 422
    title = "The records bundle does not verify"


class BackupRefused(Conflict):
    code = "record_backup_refused"
    title = "Records that do not verify cannot be backed up"
