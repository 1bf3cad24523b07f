"""Federation errors, each with a stable code (docs/errors.md)."""

from __future__ import annotations

from gateway.errors import Conflict, GatewayError, NotFound


class FederationNotConfigured(Conflict):
    """``federation.node`` is empty, or the gateway has not joined a parent yet."""

    code = "federation_not_configured"
    title = "This gateway is not part of a multi-level alliance"


class MalformedFederationDocument(GatewayError):
    code = "malformed_federation_document"
    status = 400
    title = "Malformed federation document"


class FederationSignatureInvalid(GatewayError):
    code = "federation_signature_invalid"
    status = 400
    title = "The document's signature does not verify"


class NotAChild(GatewayError):
    """The caller is not a gateway registered as this gateway's child."""

    code = "not_a_child"
    status = 403
    title = "Only a registered child gateway may do this"


class ChildExists(Conflict):
    code = "child_exists"
    title = "The child gateway is already registered"


class CheckpointRefused(GatewayError):
    """A child's checkpoint that does not extend what it signed before (``reason`` says how)."""

    code = "checkpoint_refused"
    status = 409
    title = "Checkpoint refused"


class CheckpointNotFound(NotFound):
    code = "checkpoint_not_found"
    title = "No such checkpoint"


class GrantWiderThanParent(GatewayError):
    """A grant on a parent's entry that would allow more than the parent allows this gateway."""

    code = "grant_wider_than_parent"
    status = 403
    title = "The grant is wider than the parent's grant"


class ParentUnreachable(GatewayError):
    """The parent did not answer usably (down, refused the token, not JSON)."""

    code = "parent_unreachable"
    status = 503
    title = "The parent gateway cannot be reached"


class CheckpointAhead(Conflict):
    """The parent holds a checkpoint larger than this gateway's log: evidence was lost here."""

    code = "checkpoint_ahead_of_log"
    title = "The parent's checkpoint is ahead of this gateway's log"
