"""Mounts the console on the gateway's Flask app: blueprint, sessions, CSRF, errors, layout."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from gateway.console import auth, i18n
from gateway.console.audit import REFUSED
from gateway.console.dashboard import CHAIN_STATUS_EXTENSION, ChainStatusCache
from gateway.console.keys import SharedKeySessionInterface, secret_loader
from gateway.console.pages import PAGES, Page
from gateway.console.views import install_views
from gateway.errors import GatewayError

if TYPE_CHECKING:
    from gateway.console.ports import GatewayServices

SESSION_COOKIE = "alliance_console"
URL_PREFIX = "/console"
# No inline script or style, nothing from another origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _secure_cookies(container: GatewayServices) -> bool:
    setting = container.settings.console.secure_cookies
    if setting == "auto":
        return container.settings.base_url.startswith("https://")
    return setting == "always"


def _configure(app: Flask, container: GatewayServices) -> None:
    console = container.settings.console
    app.session_interface = SharedKeySessionInterface(
        secret_loader(container.settings, container.engine)
    )
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_PATH=URL_PREFIX,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_secure_cookies(container),
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=console.session_lifetime_minutes),
        SESSION_REFRESH_EACH_REQUEST=False,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_CHECK_DEFAULT=False,  # the API's POSTs carry bearer tokens, not cookies
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session that holds it
    )


def _load_user(token: str) -> auth.ConsoleUser | None:
    services = auth.services()
    user_id = services.sessions.user_of(token)
    account = None if user_id is None else services.accounts.store.by_id(user_id)
    if account is None or account.disabled:
        return None
    return auth.ConsoleUser(account, token)


def _login_manager(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "console.login"
    manager.login_message = ""
    manager.user_loader(_load_user)
    manager.init_app(app)


def _error_page(status: int, title_key: str, detail: str) -> tuple[str, int]:
    return render_template("error.html", status=status, title_key=title_key, detail=detail), status


def _on_http_error(exc: HTTPException) -> Any:
    status = exc.code or 500
    keys = {400: "bad_request", 403: "forbidden", 404: "not_found"}
    detail = i18n.translate("forbidden_detail") if status == 403 else ""
    return _error_page(status, keys.get(status, "error"), detail)


def _on_csrf_error(exc: CSRFError) -> Any:
    auth.record(f"POST {request.endpoint}", REFUSED, request.path, "csrf: " + str(exc.description))
    return _error_page(400, "bad_request", i18n.translate("csrf_failed"))


def _on_gateway_error(exc: GatewayError) -> Any:
    return _error_page(exc.status, "error", exc.detail)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _page_url(page: Page) -> str | None:
    """The page's address, or None while no module serves it."""
    endpoint = f"console.{page.key}"
    return url_for(endpoint) if endpoint in current_app.view_functions else None


def _section() -> str:
    """The page a console address belongs to: its first segment (``/console/members/TAX``)."""
    segment = request.path.removeprefix(URL_PREFIX).strip("/").split("/", 1)[0]
    return segment or "home"


def _layout_context() -> dict[str, Any]:
    lang = i18n.current_lang()
    signed_in = auth.signed_in()
    role = auth.user().role if signed_in else None
    nav = [page for page in PAGES if role is not None and page.allows(role)]
    return {
        "t": i18n.translate,
        "lang": lang,
        "html_lang": i18n.HTML_LANG[lang],
        "nav": nav,
        "console_user": auth.user() if signed_in else None,
        "chain_status": ChainStatusCache.of(auth.container()).get() if signed_in else None,
        "page_url": _page_url,
        "active_page": _section(),
    }


def make_blueprint(csrf: CSRFProtect) -> Blueprint:
    blueprint = Blueprint(
        "console",
        __name__,
        url_prefix=URL_PREFIX,
        template_folder="templates",
        static_folder="static",
    )

    @blueprint.before_request
    def _before() -> None:
        i18n.choose_lang()
        if request.method == "POST":
            csrf.protect()

    blueprint.after_request(i18n.remember_lang)
    blueprint.after_request(_security_headers)
    blueprint.context_processor(_layout_context)
    for status in (400, 403, 404, 405, 413, 415):
        blueprint.register_error_handler(status, _on_http_error)
    blueprint.register_error_handler(CSRFError, _on_csrf_error)
    blueprint.register_error_handler(GatewayError, _on_gateway_error)
    install_views(blueprint)
    return blueprint


def install(app: Flask, container: GatewayServices) -> None:
    _configure(app, container)
    app.extensions[CHAIN_STATUS_EXTENSION] = ChainStatusCache(container)
    _login_manager(app)
    csrf = CSRFProtect()
    csrf.init_app(app)
    app.register_blueprint(make_blueprint(csrf))
