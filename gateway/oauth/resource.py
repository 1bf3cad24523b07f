"""Bearer-token protection of API routes (RFC 6750), answering in problem+json.

The error body carries both the gateway's ``code`` and RFC 6750's ``error``, and the
``WWW-Authenticate`` header is exactly as RFC 6750 §3 prescribes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from authlib.integrations.flask_oauth2.requests import FlaskJsonRequest
from authlib.oauth2 import OAuth2Error, ResourceProtector
from authlib.oauth2.rfc6750 import (
    BearerTokenValidator,
    InsufficientScopeError,
    InvalidTokenError,
)
from flask import current_app, g, request

from gateway.errors import GatewayError
from gateway.oauth.scopes import parse_scope, scope_allowed
from gateway.oauth.server import MemberLookup, token_refusal
from gateway.oauth.tokens import AccessToken, TokenStore

F = TypeVar("F", bound=Callable[..., Any])


class OAuthProblem(GatewayError):
    code = "invalid_token"
    status = 401
    title = "Unauthorized"


class InsufficientScope(OAuthProblem):
    code = "insufficient_scope"
    status = 403
    title = "Forbidden"


class GatewayTokenValidator(BearerTokenValidator):
    def __init__(self, tokens: TokenStore, members: MemberLookup) -> None:
        super().__init__(realm="alliance")
        self.tokens = tokens
        self.members = members

    def authenticate_token(self, token_string: str) -> AccessToken | None:
        return self.tokens.lookup(token_string)

    def validate_token(self, token: AccessToken | None, scopes: Any, request: Any) -> None:
        super().validate_token(token, scopes, request)
        assert token is not None  # noqa: S101 - the base class raised otherwise
        refusal = token_refusal(token, self.members(token.member_code))
        if refusal is not None:
            raise InvalidTokenError(description=refusal, realm=self.realm)

    @staticmethod
    def scope_insufficient(token_scopes: str, required_scopes: list[str] | None) -> bool:
        if not required_scopes:
            return False
        granted = parse_scope(token_scopes)
        return not all(scope_allowed(required, granted) for required in required_scopes)


def build_protector(tokens: TokenStore, members: MemberLookup) -> ResourceProtector:
    protector = ResourceProtector()
    protector.register_token_validator(GatewayTokenValidator(tokens, members))
    return protector


class MissingToken(OAuthProblem):
    code = "missing_token"


class MalformedAuthorization(OAuthProblem):
    code = "invalid_request"
    status = 400
    title = "Bad Request"


_CHALLENGE = 'Bearer realm="alliance"'


def oauth_problem(error: OAuth2Error) -> OAuthProblem:
    """RFC 6750 §3: no error code without credentials; ``invalid_request`` for a bad header."""
    if error.error == "missing_authorization":
        return MissingToken(
            "send an access token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    if error.error == "unsupported_token_type":
        description = "the Authorization header must be: Bearer <token>"
        return MalformedAuthorization(
            description,
            headers={
                "WWW-Authenticate": f'{_CHALLENGE}, error="invalid_request", '
                f'error_description="{description}"'
            },
            error="invalid_request",
            error_description=description,
        )
    cls = InsufficientScope if error.error == "insufficient_scope" else OAuthProblem
    headers = {name: value for name, value in error.get_headers() if name == "WWW-Authenticate"}
    if cls is InsufficientScope and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = (
            f'Bearer realm="alliance", error="insufficient_scope", '
            f'error_description="{error.get_error_description()}"'
        )
    problem = cls(
        error.get_error_description() or error.error,
        headers=headers,
        error=error.error,
        error_description=error.get_error_description(),
    )
    return problem


@dataclass(frozen=True)
class TokenRequirement:
    """What a protected view asks of the bearer token: every one of ``scopes`` and, when
    given, at least one of ``any_of``; ``{name}`` in a scope is filled from the URL.

    ``on_refusal`` is told (with the URL's arguments) about a refused token before the
    refusal is answered, e.g. so the broker can log a suspended member's attempt.
    """

    scopes: tuple[str, ...]
    any_of: tuple[str, ...] = ()
    on_refusal: Callable[..., None] | None = None

    def check(self, view_args: dict[str, Any]) -> AccessToken:
        protector: ResourceProtector = current_app.extensions["alliance"].oauth_protector
        resolved = [scope.format(**view_args) for scope in self.scopes]
        try:
            token = protector.validate_request(resolved, FlaskJsonRequest(request))
            if self.any_of and not any(
                scope_allowed(scope.format(**view_args), parse_scope(token.scope))
                for scope in self.any_of
            ):
                raise InsufficientScopeError()
        except OAuth2Error as exc:
            if self.on_refusal is not None:
                self.on_refusal(**view_args)
            raise oauth_problem(exc) from exc
        return cast(AccessToken, token)


def require_token(
    *scopes: str,
    any_of: tuple[str, ...] = (),
    on_refusal: Callable[..., None] | None = None,
) -> Callable[[F], F]:
    """Protect a view: a live bearer token of an active member holding every one of
    ``scopes`` and, when given, at least one of ``any_of``.

    The check runs at the edge (:func:`authenticate_request`, before the body is read or
    validated), so no unauthenticated caller learns anything about a route's body; the view
    itself only re-checks when called without that hook.
    """
    requirement = TokenRequirement(tuple(scopes), tuple(any_of), on_refusal)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.get("oauth_requirement") is not requirement:
                g.oauth_token = requirement.check(kwargs)
                g.oauth_requirement = requirement
            return view(*args, **kwargs)

        wrapper.token_requirement = requirement  # type: ignore[attr-defined]
        wrapper.required_scopes = requirement.scopes + requirement.any_of  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


def view_requirement(view: object, method: str) -> TokenRequirement | None:
    """The token requirement of a view function (or of a ``MethodView``'s handler)."""
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, method.lower(), None) if view_class is not None else view
    requirement = getattr(handler, "token_requirement", None)
    return requirement if isinstance(requirement, TokenRequirement) else None


def authenticate_request() -> None:
    """``before_request`` hook: RFC 6750 bearer-token checks before anything reads the body.

    Authentication (401) and scope (403) come before body syntax (400), media type (415) and
    schema validation (422) on every protected route.
    """
    if request.routing_exception is not None or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    method = "GET" if request.method == "HEAD" else request.method
    requirement = view_requirement(view, method)
    if requirement is None:
        return
    g.oauth_token = requirement.check(dict(request.view_args or {}))
    g.oauth_requirement = requirement


def current_token() -> AccessToken:
    return cast(AccessToken, g.oauth_token)
