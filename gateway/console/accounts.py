"""Console accounts: people of the office and the departments, separate from OAuth clients.

Passwords are hashed with Argon2id (RFC 9106). After ``lockout_threshold`` failed sign-ins in
a row an account is locked for ``lockout_minutes``; a locked account refuses even the right
password until the lock ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.console.account import Account
from gateway.console.errors import (
    AccountExists,
    AccountLocked,
    AccountNotFound,
    InvalidAccount,
    LoginRefused,
)
from gateway.console.roles import ConsoleRole
from gateway.console.store import AccountStore

USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,63}$")
MIN_PASSWORD = 10


def _now() -> datetime:
    return datetime.now(UTC)


class AccountService:
    def __init__(
        self,
        store: AccountStore,
        lockout_threshold: int,
        lockout_minutes: int,
        member_exists: Callable[[str], bool],
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.lockout_threshold = lockout_threshold
        self.lockout = timedelta(minutes=lockout_minutes)
        self.member_exists = member_exists
        self.clock = clock
        self.hasher = PasswordHasher()

    def get(self, username: str) -> Account:
        account = self.store.by_username(username)
        if account is None:
            raise AccountNotFound(f"no console user {username!r}", username=username)
        return account

    def list(self) -> list[Account]:
        return self.store.all()

    def create(
        self,
        username: str,
        display_name: str,
        role: ConsoleRole,
        password: str,
        member_code: str | None = None,
    ) -> Account:
        if not USERNAME.match(username):
            raise InvalidAccount("a username is 2-64 of a-z, 0-9, _ . - starting with a letter")
        if not display_name.strip():
            raise InvalidAccount("the display name is empty")
        if role is ConsoleRole.DEPARTMENT:
            if not member_code or not self.member_exists(member_code):
                raise InvalidAccount(
                    "a department user needs the code of an existing member",
                    member_code=member_code,
                )
        elif member_code:
            raise InvalidAccount("only department users belong to a member")
        self._check_password(password)
        if self.store.by_username(username) is not None:
            raise AccountExists(f"console user {username!r} exists", username=username)
        return self.store.insert(
            username,
            display_name.strip(),
            role,
            member_code,
            self.hasher.hash(password),
            self.clock(),
        )

    def set_disabled(self, username: str, disabled: bool) -> Account:
        account = self.get(username)
        self.store.update(account.id, disabled=disabled, updated_at=self.clock())
        return self.get(username)

    def reset_password(self, username: str, password: str) -> Account:
        """Set a new password; it also lifts a lockout."""
        account = self.get(username)
        self._check_password(password)
        self.store.update(
            account.id,
            password_hash=self.hasher.hash(password),
            failed_logins=0,
            locked_until=None,
            updated_at=self.clock(),
        )
        return self.get(username)

    def authenticate(self, username: str, password: str) -> Account:
        """The account if the password is right; otherwise :class:`LoginRefused`.

        Raises :class:`AccountLocked` while the account is locked; the attempt that reaches the
        threshold locks it and raises ``AccountLocked`` with ``locked=True`` in its extra.
        """
        now = self.clock()
        account = self.store.by_username(username)
        if account is None:
            self.hasher.hash(password)  # same cost whether or not the user exists
            raise LoginRefused("wrong username or password", username=username)
        if account.locked_at(now):
            raise AccountLocked("the account is locked", username=username)
        stored = self.store.password_hash(account.id)
        try:
            self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError) as exc:
            if self.store.record_failure(account.id, self.lockout_threshold, now + self.lockout):
                raise AccountLocked(
                    "too many failed sign-ins: the account is locked",
                    username=username,
                    locked=True,
                ) from exc
            raise LoginRefused("wrong username or password", username=username) from exc
        if account.disabled:
            raise LoginRefused("the account is disabled", username=username, disabled=True)
        changes: dict[str, object] = {"failed_logins": 0, "locked_until": None}
        if self.hasher.check_needs_rehash(stored):
            changes["password_hash"] = self.hasher.hash(password)
        if account.failed_logins or account.locked_until or "password_hash" in changes:
            self.store.update(account.id, updated_at=now, **changes)
        return self.get(username)

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise InvalidAccount(f"a password has at least {MIN_PASSWORD} characters")
