"""The OAuth 2.0 authorization server: client credentials only, for member departments.

Client authentication: ``client_secret_basic`` (RFC 6749 §2.3.1) against salted digests, or
``private_key_jwt`` (RFC 7523 §2.2) signed with the member's SM2 key using ``SM2SM3``. The
token endpoint refuses members that are not active; tokens live in Redis (see
:mod:`gateway.oauth.tokens`). Introspection (RFC 7662) and revocation (RFC 7009) are served
to authenticated clients for their own tokens; the office may introspect any token.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    InvalidClientError,
    InvalidScopeError,
    UnauthorizedClientError,
)
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from joserfc import jwt
from joserfc.errors import JoseError

from gateway.crypto.errors import CryptoError
from gateway.crypto.sm2 import Sm2PublicKey
from gateway.oauth.clients import (
    AUTH_PRIVATE_KEY_JWT,
    AUTH_SECRET_BASIC,
    ClientStore,
    RegisteredClient,
)
from gateway.oauth.jws_sm2 import ALGORITHM, Sm2Jwk, register_sm2_jws
from gateway.oauth.scopes import SCOPES_SUPPORTED, parse_scope, scope_allowed
from gateway.oauth.tokens import AccessToken, TokenStore

TOKEN_PATH = "/oauth/token"  # noqa: S105 - a URL path
INTROSPECT_PATH = "/oauth/introspect"
REVOKE_PATH = "/oauth/revoke"


@dataclass(frozen=True)
class MemberFacts:
    """What the OAuth server needs to know about a client's member."""

    status: str
    public_key: bytes
    is_office: bool
    changed_at: float = 0.0  # epoch seconds of the member's last change in the index


MemberLookup = Callable[[str], MemberFacts | None]


def token_refusal(token: AccessToken, facts: MemberFacts | None) -> str | None:
    """Why a stored token may not be used, or ``None``: its member must be active and must not
    have changed since the token was issued (a suspension, revocation or key rotation by any
    process ends it, even where the token could not be deleted from this process's Redis)."""
    if facts is None or facts.status != "active":
        return f"member {token.member_code} is not active"
    if token.issued_at_ms < facts.changed_at * 1000:
        return f"the token predates the last change of member {token.member_code}"
    return None


class MemberClientCredentialsGrant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [AUTH_SECRET_BASIC, AUTH_PRIVATE_KEY_JWT]  # noqa: RUF012

    def validate_token_request(self) -> None:
        super().validate_token_request()
        client: RegisteredClient = self.request.client
        named = self.request.form.get("client_id")
        if named is not None and named != client.client_id:
            raise InvalidClientError(
                description="client_id does not match the authenticated client"
            )
        facts = self.server.members(client.member_code)
        if facts is None or facts.status != "active":
            raise UnauthorizedClientError(description=f"member {client.member_code} is not active")
        for scope in parse_scope(self.request.payload.scope):
            if not scope_allowed(scope, client.scopes):
                raise InvalidScopeError(description=f"scope {scope!r} is not allowed")


class SignedAssertion(JWTBearerClientAssertion):
    """``private_key_jwt`` with SM2: one use per ``jti``, short-lived, for this server only."""

    CLIENT_AUTH_METHOD = AUTH_PRIVATE_KEY_JWT

    def __init__(
        self, audiences: list[str], members: MemberLookup, nonces: redis.Redis, max_age: int
    ) -> None:
        super().__init__(validate_jti=True, leeway=30)
        self.audiences = audiences
        self.members = members
        self.nonces = nonces
        self.max_age = max_age

    def __call__(self, query_client: Any, request: Any) -> RegisteredClient | None:
        """RFC 7521 §4.2: a ``client_id`` sent with the assertion must name its subject."""
        named = request.form.get("client_id")
        assertion = request.form.get("client_assertion")
        if named is not None and assertion:
            _, claims = self.extract_assertion(assertion)
            if claims.get("sub") != named:
                raise InvalidClientError(
                    description="client_id does not match the assertion's subject"
                )
        client: RegisteredClient | None = super().__call__(query_client, request)
        return client

    def get_audiences(self) -> list[str]:
        return self.audiences

    def resolve_client_public_key(self, client: RegisteredClient) -> Sm2Jwk:
        facts = self.members(client.member_code)
        if facts is None:
            raise InvalidClientError(description="the client's member is unknown")
        try:
            return Sm2Jwk(Sm2PublicKey.from_bytes(facts.public_key))
        except CryptoError as exc:
            raise InvalidClientError(description="the member's key is unusable") from exc

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> dict[str, Any]:
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=[ALGORITHM])
        except JoseError as exc:
            raise InvalidClientError(description=exc.description) from exc
        claims = dict(token.claims)
        self.verify_claims(token.claims)
        issued = claims.get("iat")
        expires = claims["exp"]
        if not isinstance(expires, int) or expires - int(issued or time.time()) > self.max_age:
            raise InvalidClientError(description=f"assertions may live at most {self.max_age} s")
        return claims

    def validate_jti(self, claims: dict[str, Any], jti: str) -> bool:
        ttl = max(int(claims["exp"]) - int(time.time()), 0) + self.leeway
        key = f"oauth:jti:{claims['sub']}:{jti}"
        return bool(self.nonces.set(key, b"1", nx=True, ex=ttl))


class _OwnTokenMixin:
    server: GatewayAuthorizationServer

    def query_token(self, token_string: str, token_type_hint: str | None) -> AccessToken | None:
        token = self.server.tokens.lookup(token_string)
        if token is None or token_refusal(token, self.server.members(token.member_code)):
            return None
        return token


class MemberIntrospectionEndpoint(_OwnTokenMixin, IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = [AUTH_SECRET_BASIC, AUTH_PRIVATE_KEY_JWT]  # noqa: RUF012

    def check_permission(self, token: AccessToken, client: RegisteredClient, request: Any) -> bool:
        if token.client_id == client.client_id:
            return True
        facts = self.server.members(client.member_code)
        return facts is not None and facts.is_office and facts.status == "active"

    def introspect_token(self, token: AccessToken) -> dict[str, object]:
        return token.introspection(self.server.issuer)


class MemberRevocationEndpoint(_OwnTokenMixin, RevocationEndpoint):
    CLIENT_AUTH_METHODS = [AUTH_SECRET_BASIC, AUTH_PRIVATE_KEY_JWT]  # noqa: RUF012

    def authenticate_token(self, request: Any, client: RegisteredClient) -> AccessToken | None:
        self.check_params(request, client)
        self._presented = request.form["token"]
        token = self.query_token(self._presented, request.form.get("token_type_hint"))
        return token if token is not None and token.check_client(client) else None

    def revoke_token(self, token: AccessToken, request: Any) -> None:
        self.server.tokens.revoke(request.form["token"])


class GatewayAuthorizationServer(AuthorizationServer):
    """Authlib's Flask server wired to the gateway's client store, token store and members."""

    def __init__(
        self,
        clients: ClientStore,
        tokens: TokenStore,
        members: MemberLookup,
        nonces: redis.Redis,
        issuer: str,
        token_ttl: int,
        assertion_max_age: int,
    ) -> None:
        super().__init__()
        self.scopes_supported = SCOPES_SUPPORTED
        register_sm2_jws()
        self.clients = clients
        self.tokens = tokens
        self.members = members
        self.issuer = issuer
        self.token_ttl = token_ttl
        self._query_client = clients.get
        self._save_token = self._store_token
        self._error_uris = None
        self.register_token_generator("default", self._bearer_generator())
        self.register_client_auth_method(
            AUTH_PRIVATE_KEY_JWT,
            SignedAssertion([issuer + TOKEN_PATH, issuer], members, nonces, assertion_max_age),
        )
        self.register_grant(MemberClientCredentialsGrant)
        self.register_endpoint(MemberIntrospectionEndpoint)
        self.register_endpoint(MemberRevocationEndpoint)

    def _bearer_generator(self) -> Any:
        from authlib.common.security import generate_token
        from authlib.oauth2.rfc6750 import BearerTokenGenerator

        ttl = self.token_ttl
        return BearerTokenGenerator(
            access_token_generator=lambda *args, **kwargs: generate_token(43),
            expires_generator=lambda client, grant_type: ttl,
        )

    def validate_requested_scope(self, scope: str | None) -> None:
        """Scopes are checked per client in the grant (``query:<entry>`` is open-ended)."""

    def _store_token(self, token: dict[str, Any], request: Any) -> None:
        client: RegisteredClient = request.client
        self.tokens.save(
            token["access_token"],
            client.client_id,
            client.member_code,
            token.get("scope", ""),
            int(token["expires_in"]),
        )

    def metadata(self) -> dict[str, object]:
        """RFC 8414 authorization server metadata."""
        methods = [AUTH_SECRET_BASIC, AUTH_PRIVATE_KEY_JWT]
        return {
            "issuer": self.issuer,
            "token_endpoint": self.issuer + TOKEN_PATH,
            "introspection_endpoint": self.issuer + INTROSPECT_PATH,
            "revocation_endpoint": self.issuer + REVOKE_PATH,
            "grant_types_supported": ["client_credentials"],
            "response_types_supported": [],
            "token_endpoint_auth_methods_supported": methods,
            "token_endpoint_auth_signing_alg_values_supported": [ALGORITHM],
            "introspection_endpoint_auth_methods_supported": methods,
            "revocation_endpoint_auth_methods_supported": methods,
            "scopes_supported": SCOPES_SUPPORTED,
        }
