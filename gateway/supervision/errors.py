"""Typed supervision errors; :mod:`gateway.http.problems` turns them into problem+json."""

from __future__ import annotations

from gateway.errors import Conflict, GatewayError, NotFound


class CaseNotFound(NotFound):
    code = "case_not_found"
    title = "No such supervision case"


class TransitionRefused(Conflict):
    """The ``Supervision`` contract reverted the transition; ``reason`` is its revert reason."""

    code = "case_transition_refused"
    title = "The case cannot move that way"


class ActorNotAllowed(GatewayError):
    """The acting member may not take this step (only the office orders, accepts and
    reopens; only the case's department rectifies and reports)."""

    code = "case_actor_not_allowed"
    status = 403
    title = "This member may not take this step"


class MemberKeyUnavailable(Conflict):
    """The gateway holds no signing key for the acting member, so it cannot sign for it."""

    code = "member_key_unavailable"
    title = "No signing key for the acting member"


class InvalidCaseRequest(GatewayError):
    code = "invalid_case_request"
    status = 422
    title = "Invalid supervision request"
