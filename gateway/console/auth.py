"""Who is signed in, and the ``requires(*roles)`` guard every console view carries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import abort, current_app, request
from flask_login import current_user

from gateway.console.audit import REFUSED
from gateway.console.roles import ConsoleRole

if TYPE_CHECKING:
    from gateway.console.account import Account
    from gateway.console.ports import GatewayServices
    from gateway.console.services import ConsoleServices

ViewT = TypeVar("ViewT", bound=Callable[..., Any])


@dataclass(frozen=True)
class ConsoleUser:
    """A signed-in account for flask-login; its id is the session token, not the user id."""

    account: Account
    token: str
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return self.token

    @property
    def role(self) -> ConsoleRole:
        return self.account.role

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def member_code(self) -> str | None:
        return self.account.member_code


def container() -> GatewayServices:
    return cast("GatewayServices", current_app.extensions["alliance"])


def services() -> ConsoleServices:
    return container().console


def user() -> ConsoleUser:
    """The signed-in user (views behind :func:`requires` always have one)."""
    return cast(ConsoleUser, current_user._get_current_object())


def signed_in() -> bool:
    return bool(getattr(current_user, "is_authenticated", False))


def client_ip() -> str:
    return request.remote_addr or ""


def record(action: str, outcome: str, target: str = "", detail: str = "") -> None:
    """Write one entry of the admin audit log for the current request's user."""
    who = user() if signed_in() else None
    services().audit.record(
        username=who.username if who else "-",
        role=who.role.value if who else "-",
        action=action,
        outcome=outcome,
        target=target,
        detail=detail,
        ip=client_ip(),
    )


def requires(*roles: ConsoleRole) -> Callable[[ViewT], ViewT]:
    """Only these roles may use the view: others get 403 (logged), strangers the sign-in page."""
    allowed = frozenset(roles)

    def guard(view: ViewT) -> ViewT:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not signed_in():
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if user().role not in allowed:
                record(f"{request.method} {request.endpoint}", REFUSED, request.path, "role")
                abort(403)
            return view(*args, **kwargs)

        return cast(ViewT, guarded)

    return guard
