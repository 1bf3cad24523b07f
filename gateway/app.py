"""Builds the Flask application: settings → container → HTTP edge → blueprints."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from gateway.bootstrap import build_container
from gateway.console import register_console
from gateway.http import docs, health
from gateway.http.api import oauth as oauth_api
from gateway.http.guards import register_guards
from gateway.http.openapi import GatewayApi
from gateway.http.problems import register_problem_handlers
from gateway.logs import configure_logging
from gateway.settings import Settings, load_settings
from gateway.version import __version__

API_PREFIX = "/api/v1"


def _api_config(settings: Settings) -> dict[str, object]:
    return {
        "API_TITLE": "alliance-gateway",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": docs.ASSETS_URL,
        # No validator badge: it would call an outside service.
        "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "deepLinking": True},
        "API_SPEC_OPTIONS": {
            "info": {
                "description": "Provincial data-sharing alliance gateway (FISCO BCOS, guomi).",
            },
            "servers": [{"url": settings.base_url}],
        },
        "MAX_CONTENT_LENGTH": settings.http.max_body_bytes,
        "JSON_SORT_KEYS": False,
    }


def build_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    configure_logging(settings.log)
    app = Flask("gateway")
    app.config.update(_api_config(settings))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    container = build_container(settings)
    app.extensions["alliance"] = container

    app.register_blueprint(health.blp)
    app.register_blueprint(docs.blp)
    limiter = _limiter(app, settings)
    register_guards(app)
    limiter.limit(settings.oauth.token_rate_limit)(oauth_api.blp)
    app.register_blueprint(oauth_api.blp)

    api = GatewayApi(app)
    app.extensions["alliance_api"] = api
    register_problem_handlers(app)  # after Api(): replaces flask-smorest's JSON error handler
    for blueprint in _api_blueprints():
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + (blueprint.url_prefix or ""))
    register_console(app, container)
    app.logger.info("gateway %s ready to serve", __version__)
    return app


def _api_blueprints() -> list[Blueprint]:
    """The versioned API's blueprints; each feature adds its own here."""
    from gateway.http import tools
    from gateway.http.api import apis as apis_api
    from gateway.http.api import audit as audit_api
    from gateway.http.api import catalog as catalog_api
    from gateway.http.api import contracts as contracts_api
    from gateway.http.api import evidence as evidence_api
    from gateway.http.api import federation as federation_api
    from gateway.http.api import grants as grants_api
    from gateway.http.api import members as members_api
    from gateway.http.api import query as query_api
    from gateway.http.api import reconciliation as reconciliation_api
    from gateway.http.api import records as records_api
    from gateway.http.api import supervision as supervision_api
    from gateway.http.api import transfers as transfers_api

    return [
        tools.blp,
        members_api.blp,
        catalog_api.blp,
        grants_api.blp,
        query_api.blp,
        evidence_api.blp,
        audit_api.blp,
        reconciliation_api.blp,
        contracts_api.blp,
        apis_api.blp,
        records_api.blp,
        supervision_api.blp,
        transfers_api.blp,
        federation_api.blp,
    ]


def _limiter(app: Flask, settings: Settings) -> Limiter:
    """Rate limits per client address, counted in Redis (in memory for the embedded default)."""
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        default_limits=[settings.oauth.api_rate_limit],
        strategy="fixed-window",
        headers_enabled=True,
        # With Redis down, limits lapse rather than every call failing; every protected call
        # is refused anyway (503) because no token can be checked.
        swallow_errors=True,
    )
    limiter.exempt(health.blp)
    limiter.exempt(docs.blp)
    from gateway.http.api import query as query_api

    limiter.limit(settings.oauth.query_rate_limit, key_func=query_api.client_key)(query_api.blp)
    app.extensions["alliance_limiter"] = limiter
    return limiter
