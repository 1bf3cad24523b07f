"""Console accounts on SQLite and on a real PostgreSQL: hashing, lockout, sessions, audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gateway.console.accounts import AccountService
from gateway.console.audit import AdminActionQuery, AdminAuditLog
from gateway.console.errors import AccountExists, AccountLocked, InvalidAccount, LoginRefused
from gateway.console.roles import ConsoleRole
from gateway.console.sessions import SessionStore
from gateway.console.store import AccountStore
from gateway.console.tables import ConsoleSessionRow, ConsoleUserRow
from gateway.settings import Settings
from gateway.storage.engine import make_engine
from gateway.storage.migrate import upgrade

PASSWORD = "a long enough password"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(
    request: pytest.FixtureRequest, make_settings: Callable[..., Settings]
) -> Iterator[Engine]:
    if request.param == "postgres":
        settings = make_settings(database_url=request.getfixturevalue("postgres_url"))
    else:
        settings = make_settings()
        settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    yield engine
    engine.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def service(engine: Engine, clock: Clock) -> AccountService:
    return AccountService(
        AccountStore(engine),
        lockout_threshold=3,
        lockout_minutes=10,
        member_exists=lambda code: code in {"TAX", "NRD"},
        clock=clock,
    )


def test_passwords_are_stored_as_argon2id_hashes(engine: Engine) -> None:
    accounts = service(engine, Clock())
    accounts.create("zhang.san", "张三", ConsoleRole.ADMIN, PASSWORD)
    with Session(engine) as session:
        stored = session.scalar(select(ConsoleUserRow.password_hash))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.authenticate("zhang.san", PASSWORD).display_name == "张三"
    with pytest.raises(LoginRefused):
        accounts.authenticate("zhang.san", PASSWORD + "!")
    with pytest.raises(LoginRefused):
        accounts.authenticate("nobody", PASSWORD)


def test_account_rules(engine: Engine) -> None:
    accounts = service(engine, Clock())
    with pytest.raises(InvalidAccount):
        accounts.create("Bad Name", "x", ConsoleRole.ADMIN, PASSWORD)
    with pytest.raises(InvalidAccount):
        accounts.create("short", "x", ConsoleRole.ADMIN, "2short")
    with pytest.raises(InvalidAccount):
        accounts.create("dept", "部门", ConsoleRole.DEPARTMENT, PASSWORD)
    with pytest.raises(InvalidAccount):
        accounts.create("dept", "部门", ConsoleRole.DEPARTMENT, PASSWORD, "NOPE")
    with pytest.raises(InvalidAccount):
        accounts.create("aud", "审计", ConsoleRole.AUDITOR, PASSWORD, "TAX")
    made = accounts.create("dept", "税务部门", ConsoleRole.DEPARTMENT, PASSWORD, "TAX")
    assert made.member_code == "TAX"
    with pytest.raises(AccountExists):
        accounts.create("dept", "again", ConsoleRole.AUDITOR, PASSWORD)


def test_lockout_counts_consecutive_failures_and_ends_after_its_duration(engine: Engine) -> None:
    clock = Clock()
    accounts = service(engine, clock)
    accounts.create("li.si", "李四", ConsoleRole.AUDITOR, PASSWORD)
    for _ in range(2):
        with pytest.raises(LoginRefused) as refused:
            accounts.authenticate("li.si", "wrong password")
        assert not isinstance(refused.value, AccountLocked)
    accounts.authenticate("li.si", PASSWORD)  # a success resets the count
    for _ in range(2):
        with pytest.raises(LoginRefused):
            accounts.authenticate("li.si", "wrong password")
    with pytest.raises(AccountLocked) as locked:
        accounts.authenticate("li.si", "wrong password")
    assert locked.value.extra["locked"] is True
    with pytest.raises(AccountLocked):
        accounts.authenticate("li.si", PASSWORD)
    clock.now += timedelta(minutes=9)
    with pytest.raises(AccountLocked):
        accounts.authenticate("li.si", PASSWORD)
    clock.now += timedelta(minutes=2)
    assert accounts.authenticate("li.si", PASSWORD).locked_until is None


def test_reset_password_lifts_a_lock(engine: Engine) -> None:
    accounts = service(engine, Clock())
    accounts.create("wang.wu", "王五", ConsoleRole.OPERATOR, PASSWORD)
    for _ in range(3):
        with pytest.raises(LoginRefused):
            accounts.authenticate("wang.wu", "wrong password")
    accounts.reset_password("wang.wu", "another long password")
    assert accounts.authenticate("wang.wu", "another long password").failed_logins == 0
    with pytest.raises(LoginRefused):
        accounts.authenticate("wang.wu", PASSWORD)


def test_sessions_store_only_a_digest_and_expire(engine: Engine) -> None:
    clock = Clock()
    account = service(engine, clock).create("zhao", "赵", ConsoleRole.ADMIN, PASSWORD)
    sessions = SessionStore(engine, timedelta(minutes=30), clock=clock)
    token = sessions.open(account.id, "127.0.0.1")
    with Session(engine) as session:
        digests = session.scalars(select(ConsoleSessionRow.token_digest)).all()
    assert token not in digests and len(digests) == 1
    assert sessions.user_of(token) == account.id
    assert sessions.user_of(token + "x") is None
    clock.now += timedelta(minutes=31)
    assert sessions.user_of(token) is None
    second = sessions.open(account.id, "127.0.0.1")
    assert sessions.close_all(account.id) >= 1
    assert sessions.user_of(second) is None


def test_admin_audit_log_is_newest_first_and_filters(engine: Engine) -> None:
    log = AdminAuditLog(engine)
    log.record(username="a", role="admin", action="login", outcome="ok", ip="10.0.0.1")
    log.record(username="b", role="auditor", action="login", outcome="refused")
    log.record(username="a", role="admin", action="member_suspend", outcome="ok", target="TAX")
    assert [x.action for x in log.find(AdminActionQuery(username="a"))] == [
        "member_suspend",
        "login",
    ]
    assert [x.username for x in log.find(AdminActionQuery(outcome="refused"))] == ["b"]
    newest = log.find(AdminActionQuery(limit=1))[0]
    assert newest.target == "TAX" and newest.at.tzinfo is not None
