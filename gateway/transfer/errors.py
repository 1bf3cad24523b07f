"""Transfer errors, each with a stable code (see docs/transfer.md and docs/errors.md)."""

from __future__ import annotations

from gateway.errors import Conflict, GatewayError, NotFound


class InvalidTransfer(GatewayError):
    code = "invalid_transfer"
    status = 422
    title = "Invalid transfer case"


class TransferNotFound(NotFound):
    code = "transfer_not_found"
    title = "No such transfer case"


class TransferExists(Conflict):
    code = "transfer_exists"
    title = "A transfer case with this id exists"


class NotRegistrar(GatewayError):
    code = "not_transfer_registrar"
    status = 403
    title = "Only the real-estate registration member opens and completes transfers"


class NotAttester(GatewayError):
    code = "not_condition_attester"
    status = 403
    title = "Only the condition's department attests it"


class EvidenceMissing(Conflict):
    code = "transfer_evidence_missing"
    title = "Gather the condition's evidence before attesting it"


class SignatureInvalid(GatewayError):
    code = "attestation_signature_invalid"
    status = 422
    title = "The attestation signature does not verify with the member's registered key"


class MemberKeyNotHeld(Conflict):
    code = "member_key_not_held"
    title = "The gateway holds no chain key for this member"


class TransferPending(Conflict):
    code = "transfer_pending"
    title = "The transfer cannot complete yet"


class TransferRefused(Conflict):
    code = "transfer_refused"
    title = "The TransferCase contract refused the change"


class EvidenceUnavailable(GatewayError):
    code = "transfer_evidence_unavailable"
    status = 502
    title = "The department's system gave no usable answer for the condition"
