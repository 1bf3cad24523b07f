"""The gateway's APIs as an operator sees them (API管理): the OpenAPI document joined with
the scope each route requires and its call and error counts.

Scopes come from the operation's OpenAPI ``security`` requirement when it has one, else from
the view itself (:func:`gateway.oauth.resource.require_token` records them on the view).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import redis
from flask import Flask

from gateway.http.stats import ApiCallStats, EndpointCalls, openapi_path

COUNTED_PREFIXES = ("/api/v1/", "/oauth/")
STATS_EXTENSION = "alliance_api_calls"
_METHODS = ("get", "put", "post", "patch", "delete")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ApiOperation:
    method: str
    path: str
    summary: str
    tag: str
    operation_id: str | None
    protected: bool
    scopes: tuple[str, ...]
    documented: bool
    calls: int | None
    client_errors: int | None
    server_errors: int | None
    error_rate: float | None


@dataclass(frozen=True)
class ApiListing:
    days: int
    counts_available: bool
    items: list[ApiOperation]


def counted(rule: str) -> bool:
    return rule.startswith(COUNTED_PREFIXES)


def call_stats(app: Flask) -> ApiCallStats:
    """The app's one call counter, over the container's Redis (made on first use)."""
    stats = app.extensions.get(STATS_EXTENSION)
    if stats is None:
        stats = app.extensions.setdefault(
            STATS_EXTENSION, ApiCallStats(app.extensions["alliance"].redis)
        )
    return stats


def _view_scopes(app: Flask) -> dict[tuple[str, str], tuple[str, ...] | None]:
    """``(METHOD, path)`` → the scopes its view requires (``None``: no token needed)."""
    found: dict[tuple[str, str], tuple[str, ...] | None] = {}
    for rule in app.url_map.iter_rules():
        if not counted(rule.rule):
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            handler = getattr(view_class, method.lower(), None) if view_class else view
            scopes = getattr(handler, "required_scopes", None)
            key = (method, openapi_path(rule.rule))
            found[key] = tuple(scopes) if scopes is not None else None
    return found


def _security_scopes(operation: dict[str, Any]) -> tuple[str, ...] | None:
    security = operation.get("security")
    if not security:
        return None
    return tuple(
        scope for requirement in security for scopes in requirement.values() for scope in scopes
    )


def list_operations(app: Flask, stats: ApiCallStats, days: int) -> ApiListing:
    """Every operation of the OpenAPI document, then every other counted route."""
    spec = app.extensions["alliance_api"].spec.to_dict()
    view_scopes = _view_scopes(app)
    try:
        totals: dict[tuple[str, str], EndpointCalls] | None = stats.totals(days)
    except (redis.RedisError, OSError):
        totals = None
    items: list[ApiOperation] = []
    seen: set[tuple[str, str]] = set()
    for path, operations in spec.get("paths", {}).items():
        for method in _METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            key = (method.upper(), path)
            seen.add(key)
            scopes = _security_scopes(operation)
            if scopes is None:
                scopes = view_scopes.get(key)
            items.append(_operation(key, operation, scopes, documented=True, totals=totals))
    for key in sorted(set(view_scopes) | set(totals or {})):
        if key not in seen:
            items.append(_operation(key, {}, view_scopes.get(key), documented=False, totals=totals))
    return ApiListing(days=days, counts_available=totals is not None, items=items)


def _operation(
    key: tuple[str, str],
    operation: dict[str, Any],
    scopes: tuple[str, ...] | None,
    *,
    documented: bool,
    totals: dict[tuple[str, str], EndpointCalls] | None,
) -> ApiOperation:
    method, path = key
    tags = operation.get("tags") or [path.strip("/").split("/")[0]]
    calls = (totals or {}).get(key, EndpointCalls(method, path))
    return ApiOperation(
        method=method,
        path=path,
        summary=operation.get("summary") or "",
        tag=str(tags[0]),
        operation_id=operation.get("operationId"),
        protected=scopes is not None,
        scopes=scopes or (),
        documented=documented,
        calls=calls.calls if totals is not None else None,
        client_errors=calls.client_errors if totals is not None else None,
        server_errors=calls.server_errors if totals is not None else None,
        error_rate=calls.error_rate if totals is not None else None,
    )
