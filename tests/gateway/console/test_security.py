"""The console's security: CSRF, session fixation, roles, lockout, escaping, the audit trail."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
import requests

from gateway import create_app
from gateway.catalog.actors import Actor
from gateway.console.audit import AdminActionQuery
from gateway.console.pages import PAGES
from gateway.console.roles import ConsoleRole
from gateway.members.model import MemberProfile, MemberStatus, Role
from gateway.settings import Settings
from tests.gateway.console.conftest import PASSWORD, USERS, Console, csrf_of
from tests.live_gateway import serve


def member_status(console: Console, code: str) -> MemberStatus:
    member = console.app.extensions["alliance"].members.index.get(code)
    assert member is not None
    return member.status


def actions(console: Console, **filters: str) -> list[tuple[str, str, str, str]]:
    found = console.services.audit.find(AdminActionQuery(**filters))
    return [(a.username, a.action, a.target, a.outcome) for a in found]


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(console: Console) -> None:
    client = console.login("admin1")
    answer = client.post("/console/members/TAX/suspend", data={"reason": "no token"})
    assert answer.status_code == 400
    assert "表单已失效" in answer.text
    forged = client.post(
        "/console/members/TAX/suspend", data={"reason": "forged", "csrf_token": "x" * 40}
    )
    assert forged.status_code == 400
    assert member_status(console, "TAX") is MemberStatus.ACTIVE
    assert ("admin1", "POST console.member_action", "/console/members/TAX/suspend", "refused") in (
        actions(console, username="admin1")
    )


def test_the_sign_in_form_itself_needs_its_token(console: Console) -> None:
    answer = console.client().post(
        "/console/login", data={"username": "admin1", "password": PASSWORD}
    )
    assert answer.status_code == 400
    assert console.services.sessions.count(console.services.accounts.get("admin1").id) == 0


def test_session_fixation_a_cookie_from_before_sign_in_is_not_signed_in(
    seeded_settings: Settings,
) -> None:
    for gateway in serve(seeded_settings):
        container = gateway.app.extensions["alliance"]
        container.console.accounts.create("admin1", "管理员", ConsoleRole.ADMIN, PASSWORD)
        browser = requests.Session()
        form = browser.get(gateway.url + "/console/login", timeout=30)
        planted = browser.cookies.get("alliance_console")
        assert planted, "the sign-in page sets a session cookie (it holds the CSRF token)"
        signed_in = browser.post(
            gateway.url + "/console/login",
            data={"username": "admin1", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
            timeout=30,
            allow_redirects=False,
        )
        assert signed_in.status_code == 302
        cookie = signed_in.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
        fresh = browser.cookies.get("alliance_console")
        assert fresh and fresh != planted
        assert browser.get(gateway.url + "/console/", timeout=30).status_code == 200

        attacker = requests.Session()
        attacker.cookies.set("alliance_console", planted, path="/console")
        answer = attacker.get(gateway.url + "/console/", timeout=30, allow_redirects=False)
        assert answer.status_code == 302
        assert "/console/login" in answer.headers["Location"]

        # Signing out ends the session on the server: a copy of the cookie is worth nothing.
        stolen = requests.Session()
        stolen.cookies.set("alliance_console", fresh, path="/console")
        assert stolen.get(gateway.url + "/console/", timeout=30).status_code == 200
        page = browser.get(gateway.url + "/console/", timeout=30)
        browser.post(
            gateway.url + "/console/logout", data={"csrf_token": csrf_of(page.text)}, timeout=30
        )
        after = stolen.get(gateway.url + "/console/", timeout=30, allow_redirects=False)
        assert after.status_code == 302


def test_secure_cookies_when_configured(seeded_settings: Settings) -> None:
    settings = seeded_settings.model_copy(
        update={"console": seeded_settings.console.model_copy(update={"secure_cookies": "always"})}
    )
    app = create_app(settings)
    try:
        client = app.test_client()
        page = client.get("/console/login")
        assert "Secure" in page.headers["Set-Cookie"]
    finally:
        app.extensions["alliance"].close()


def test_an_auditor_cannot_change_membership(console: Console) -> None:
    client = console.login("auditor1")
    detail = client.get("/console/members/TAX")
    assert detail.status_code == 200
    assert 'data-action="suspend"' not in detail.text  # no buttons for a read-only role
    answer = client.post(
        "/console/members/TAX/suspend",
        data={"reason": "auditor tries", "csrf_token": csrf_of(detail.text)},
    )
    assert answer.status_code == 403
    assert member_status(console, "TAX") is MemberStatus.ACTIVE
    assert (
        "auditor1",
        "POST console.member_action",
        "/console/members/TAX/suspend",
        "refused",
    ) in (actions(console, username="auditor1"))


def test_an_operator_does_not_see_members_or_grants(console: Console) -> None:
    client = console.login("operator1")
    assert client.get("/console/members").status_code == 403
    assert client.get("/console/grants").status_code == 403
    assert client.get("/console/").status_code == 200


@pytest.mark.parametrize("username", sorted(USERS))
def test_each_role_sees_exactly_its_pages_in_the_navigation(
    console: Console, username: str
) -> None:
    role = USERS[username][0]
    home = console.login(username).get("/console/").text
    for page in PAGES:
        assert (f'data-page="{page.key}"' in home) is page.allows(role), (role, page.key)


def test_a_department_user_sees_only_its_own_data(console: Console) -> None:
    client = console.login("tax1")
    listing = client.get("/console/members").text
    assert ">TAX<" in listing
    assert ">NRD<" not in listing and ">CIV<" not in listing
    assert client.get("/console/members/TAX").status_code == 200
    assert client.get("/console/members/NRD").status_code == 404

    container = console.app.extensions["alliance"]
    from gateway.catalog.ports import GrantQuery

    everything = container.grants.find(GrantQuery(limit=500), Actor("GAO", True, "test"))
    own = [g for g in everything if "TAX" in (g.consumer, g.provider)]
    others = [g for g in everything if "TAX" not in (g.consumer, g.provider)]
    assert own and others
    grants = client.get("/console/grants").text
    assert all(f'data-grant="{g.id}"' in grants for g in own)
    assert not any(f'data-grant="{g.id}"' in grants for g in others)
    assert client.get(f"/console/grants/{others[0].id}").status_code == 404
    assert client.get(f"/console/grants/{own[0].id}").status_code == 200
    assert client.get("/console/reconciliation").status_code in (403, 404)


def test_lockout_after_repeated_failures_is_enforced_and_logged(console: Console) -> None:
    threshold = console.app.extensions["alliance"].settings.console.lockout_threshold
    client = console.client()
    for _ in range(threshold):
        form = client.get("/console/login")
        answer = client.post(
            "/console/login",
            data={"username": "admin1", "password": "wrong", "csrf_token": csrf_of(form.text)},
        )
        assert answer.status_code == 401
    assert "账户已锁定" in answer.text
    form = client.get("/console/login")
    right = client.post(
        "/console/login",
        data={"username": "admin1", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
    )
    assert right.status_code == 401, "the right password does not open a locked account"
    logged = actions(console, username="admin1")
    assert logged.count(("admin1", "login", "admin1", "refused")) == threshold
    assert ("admin1", "login_locked", "admin1", "refused") in logged

    accounts = console.services.accounts
    account = accounts.get("admin1")
    assert account.locked_until is not None and account.locked_until > datetime.now(UTC)
    accounts.clock = lambda: datetime.now(UTC) + timedelta(minutes=16)
    assert accounts.authenticate("admin1", PASSWORD).username == "admin1"


def test_a_disabled_user_cannot_sign_in_and_loses_its_session(console: Console) -> None:
    client = console.login("auditor1")
    assert client.get("/console/").status_code == 200
    console.services.disable("auditor1")
    assert client.get("/console/", follow_redirects=False).status_code == 302
    other = console.client()
    form = other.get("/console/login")
    answer = other.post(
        "/console/login",
        data={"username": "auditor1", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
    )
    assert answer.status_code == 401
    assert ("auditor1", "login", "auditor1", "refused") in actions(console, username="auditor1")


def test_markup_in_member_and_grant_fields_is_escaped(console: Console) -> None:
    container = console.app.extensions["alliance"]
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    container.members.apply(
        MemberProfile(
            code="EVIL", name_zh=payload, name_en="", credit_code="", roles=Role.CONSUMER
        ),
        None,
        "test",
    )
    entry = container.catalog.get("NRD-TITLE")
    grant = container.grants.apply(
        "NRD-TITLE",
        "TAX",
        "M-XSS",
        payload,
        [entry.spec.fields[0].name],
        datetime.now(UTC) + timedelta(days=30),
        Actor("TAX", False, "test"),
    )
    client = console.login("admin1")
    for path in ("/console/members", "/console/members/EVIL", f"/console/grants/{grant.id}"):
        page = client.get(path).text
        assert payload not in page, path
        assert html.escape(payload) in page or "&lt;script&gt;" in page, path
    assert "script-src 'self'" in client.get("/console/").headers["Content-Security-Policy"]


def test_every_console_action_lands_in_the_admin_audit_log(console: Console) -> None:
    container = console.app.extensions["alliance"]
    entry = container.catalog.get("NRD-TITLE")
    grant = container.grants.apply(
        "NRD-TITLE",
        "TAX",
        "M-AUDIT",
        "测试用途",
        [entry.spec.fields[0].name],
        datetime.now(UTC) + timedelta(days=30),
        Actor("TAX", False, "test"),
    )
    client = console.login("admin1")
    token = console.token(client, "/console/members/TAX")
    assert (
        client.post(
            "/console/members/TAX/suspend", data={"reason": "检查", "csrf_token": token}
        ).status_code
        == 302
    )
    assert member_status(console, "TAX") is MemberStatus.SUSPENDED
    client.post("/console/members/TAX/reinstate", data={"reason": "", "csrf_token": token})
    assert member_status(console, "TAX") is MemberStatus.ACTIVE
    client.post(
        f"/console/grants/{grant.id}/approve",
        data={"fields": [entry.spec.fields[0].name], "csrf_token": token},
    )
    assert container.grants.index.get(grant.id).status.value == "approved"
    client.post(f"/console/grants/{grant.id}/revoke", data={"reason": "到期", "csrf_token": token})
    assert container.grants.index.get(grant.id).status.value == "revoked"
    client.post("/console/logout", data={"csrf_token": token})

    logged = [(a, t, o) for _, a, t, o in reversed(actions(console, username="admin1"))]
    assert logged == [
        ("login", "admin1", "ok"),
        ("member_suspend", "TAX", "ok"),
        ("member_reinstate", "TAX", "ok"),
        ("grant_approve", grant.id, "ok"),
        ("grant_revoke", grant.id, "ok"),
        ("logout", "admin1", "ok"),
    ]
    events = container.members.history("TAX")
    assert events[-1].actor == "console:admin1"
