"""The root of the gateway's domain errors.

Feature code raises subclasses deep down; :mod:`gateway.http.problems` turns them into
``application/problem+json`` responses at the edge, keyed by :attr:`GatewayError.code`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class GatewayError(Exception):
    """A failure a client can be told about. ``code`` is stable and documented."""

    code: ClassVar[str] = "gateway_error"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Request failed"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


class NotFound(GatewayError):
    code = "not_found"
    status = 404
    title = "Not found"


class Conflict(GatewayError):
    code = "conflict"
    status = 409
    title = "Conflict"


class ServiceUnavailable(GatewayError):
    code = "service_unavailable"
    status = 503
    title = "Service unavailable"
