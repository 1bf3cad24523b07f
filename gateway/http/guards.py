"""Checks every request passes before any view runs, in this order: request id, rate limit,
bearer token and scope (RFC 6750), body size, body syntax.

Rejecting early and uniformly means no view ever sees a malformed or oversized body, no
unauthenticated caller learns anything about a route's body (401/403 come before 400/415/422),
and the client always gets a problem+json 4xx instead of whatever the view would have crashed
with.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from gateway.oauth.resource import authenticate_request

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
ViewT = TypeVar("ViewT", bound=Any)
JSON_TYPES = frozenset({"application/json", "application/merge-patch+json"})


class MalformedJson(BadRequest):
    problem_code = "malformed_json"


def _assign_request_id() -> None:
    supplied = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex


def _check_body() -> None:
    if request.routing_exception is not None:
        return  # 404/405 win over body complaints
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"The body exceeds the limit of {limit} bytes.")
    if request.method not in _BODY_METHODS:
        return
    accepted = _accepted_media_types(current_app.view_functions.get(request.endpoint or ""))
    body = request.get_data(cache=True)
    if not body and request.mimetype not in accepted:
        return
    if request.mimetype not in accepted:
        raise UnsupportedMediaType(f"Send the body as one of: {', '.join(sorted(accepted))}.")
    if request.mimetype in JSON_TYPES:
        try:
            json.loads(body, parse_constant=_not_json)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MalformedJson(f"The body is not valid JSON: {exc}") from exc


def _not_json(constant: str) -> None:
    """RFC 8259 §6: NaN and the infinities are not JSON numbers (Python's parser takes them)."""
    raise json.JSONDecodeError(f"{constant} is not a JSON value", constant, 0)


def accepts(*media_types: str) -> Callable[[ViewT], ViewT]:
    """Declare the body media types a view takes (JSON unless declared otherwise)."""

    def mark(view: ViewT) -> ViewT:
        view.accepted_media_types = frozenset(media_types)
        return view

    return mark


def _accepted_media_types(view: object) -> frozenset[str]:
    for holder in (view, getattr(view, "view_class", None)):
        declared = getattr(holder, "accepted_media_types", None)
        if declared is not None:
            return frozenset(declared)
    return JSON_TYPES


def _echo_request_id(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


def register_guards(app: Flask) -> None:
    """Register the checks; call after the rate limiter so it counts refused requests too."""
    app.before_request_funcs.setdefault(None, []).insert(0, _assign_request_id)
    app.before_request(authenticate_request)
    app.before_request(_check_body)
    app.after_request(_echo_request_id)
