"""HTTP endpoints of the authorization server: token, introspection, revocation, metadata."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from gateway.http.guards import accepts
from gateway.oauth.server import (
    INTROSPECT_PATH,
    REVOKE_PATH,
    TOKEN_PATH,
    GatewayAuthorizationServer,
)

FORM = "application/x-www-form-urlencoded"

blp = Blueprint("oauth", __name__)


def _server() -> GatewayAuthorizationServer:
    return current_app.extensions["alliance"].oauth_server


@blp.post(TOKEN_PATH)
@accepts(FORM)
def token() -> ResponseReturnValue:
    """RFC 6749 §4.4 client credentials grant."""
    return _server().create_token_response()


@blp.post(INTROSPECT_PATH)
@accepts(FORM)
def introspect() -> ResponseReturnValue:
    """RFC 7662 token introspection."""
    return _server().create_endpoint_response("introspection")


@blp.post(REVOKE_PATH)
@accepts(FORM)
def revoke() -> ResponseReturnValue:
    """RFC 7009 token revocation."""
    return _server().create_endpoint_response("revocation")


@blp.get("/.well-known/oauth-authorization-server")
def metadata() -> ResponseReturnValue:
    """RFC 8414 authorization server metadata."""
    return jsonify(_server().metadata())
