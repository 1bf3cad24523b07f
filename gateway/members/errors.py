"""Member errors, each with a stable code (see docs/members.md)."""

from __future__ import annotations

from gateway.errors import Conflict, GatewayError, NotFound


class InvalidMember(GatewayError):
    code = "invalid_member"
    status = 422
    title = "Invalid member data"


class MemberNotFound(NotFound):
    code = "member_not_found"
    title = "No such member"


class MemberExists(Conflict):
    code = "member_exists"
    title = "Member already registered"


class IllegalTransition(Conflict):
    code = "illegal_member_transition"
    title = "Member lifecycle forbids this change"


class LedgerRefused(GatewayError):
    """The ``MemberRegistry`` contract reverted; the reason is the contract's own."""

    code = "member_registry_refused"
    status = 409
    title = "The member registry refused the change"
