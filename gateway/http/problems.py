"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

import logging
from typing import Any

import redis
from flask import Flask, Response, g, json, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from gateway.errors import GatewayError

PROBLEM_JSON = "application/problem+json"

log = logging.getLogger(__name__)

# Stable codes for the protocol-level failures werkzeug and flask-smorest raise.
HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    411: "length_required",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
    501: "not_implemented",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


def problem_response(
    status: int, code: str, title: str, detail: str | None = None, **extra: Any
) -> Response:
    """Build a problem+json response; ``type`` is a stable URN derived from ``code``."""
    body: dict[str, Any] = {
        "type": f"urn:alliance:problem:{code}",
        "title": title,
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    request_id = g.get("request_id")
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    return response


def _from_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = getattr(exc, "problem_code", None) or HTTP_CODES.get(status, "http_error")
    extra: dict[str, Any] = {}
    data = getattr(exc, "data", None)  # flask-smorest / webargs put validation messages here
    if isinstance(data, dict) and data.get("messages"):
        extra["errors"] = data["messages"]
    detail = exc.description if isinstance(exc.description, str) else None
    valid_methods = getattr(exc, "valid_methods", None)
    if status == 405 and valid_methods:
        extra["allowed_methods"] = sorted(valid_methods)
    response = problem_response(status, code, exc.name, detail, **extra)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _from_gateway_error(exc: GatewayError) -> Response:
    response = problem_response(exc.status, exc.code, exc.title, exc.detail, **exc.extra)
    response.headers.update(exc.headers)
    return response


def _from_redis_error(exc: redis.RedisError) -> Response:
    """Tokens, rate limits and replay nonces live in Redis: without it, fail closed."""
    log.error(
        "Redis unavailable serving %s %s: %s", request.method, request.path, type(exc).__name__
    )
    return problem_response(
        503,
        "service_unavailable",
        "Service unavailable",
        "The token store (Redis) is unavailable; nothing was done. Retry later.",
    )


def _from_database_error(exc: DBAPIError) -> Response:
    """The database is unreachable or restarting: every write is one transaction, so the
    request left nothing half-written; the pool reconnects by itself once it is back."""
    if not (isinstance(exc, OperationalError) or exc.connection_invalidated):
        return _from_unexpected(exc)
    log.error(
        "database unavailable serving %s %s: %s", request.method, request.path, type(exc).__name__
    )
    response = problem_response(
        503,
        "database_unavailable",
        "Database unavailable",
        "The database is unavailable; nothing was recorded. Retry later.",
    )
    response.headers["Retry-After"] = "5"
    return response


def _from_unexpected(exc: Exception) -> Response:
    log.error("unhandled error serving %s %s", request.method, request.path, exc_info=exc)
    return problem_response(
        500, "internal_error", "Internal error", "The request failed; quote the request id."
    )


def register_problem_handlers(app: Flask) -> None:
    """Route every error through problem+json; no stack trace ever reaches a client."""
    app.register_error_handler(HTTPException, _from_http_exception)
    app.register_error_handler(GatewayError, _from_gateway_error)
    app.register_error_handler(redis.RedisError, _from_redis_error)
    app.register_error_handler(DBAPIError, _from_database_error)
    app.register_error_handler(Exception, _from_unexpected)
