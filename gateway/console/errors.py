"""Console account errors, each with a stable code (also the CLI's error line)."""

from __future__ import annotations

from gateway.errors import Conflict, GatewayError, NotFound


class AccountNotFound(NotFound):
    code = "console_user_not_found"


class AccountExists(Conflict):
    code = "console_user_exists"


class InvalidAccount(GatewayError):
    code = "invalid_console_user"
    status = 422
    title = "Invalid console user"


class LoginRefused(GatewayError):
    """Wrong username or password, or a disabled account: one answer for all three."""

    code = "login_refused"
    status = 401
    title = "Sign-in refused"


class AccountLocked(LoginRefused):
    code = "account_locked"
    title = "Account locked"
