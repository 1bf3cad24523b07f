"""首页, 数据目录, 授权管理 and the layout as the signed-in roles see them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from gateway.console.dashboard import CHINA
from tests.gateway.console.conftest import Console, csrf_of, log_query


def tile(page: str, name: str) -> str:
    match = re.search(rf'data-testid="tile-{name}">.*?class="figure">([^<]*)<', page, re.S)
    assert match, name
    return match.group(1).strip()


def test_home_shows_the_alliance_at_a_glance(console: Console) -> None:
    now = datetime.now(UTC)
    start_of_today = datetime.now(CHINA).replace(hour=0, minute=0, second=1).astimezone(UTC)
    for _ in range(3):
        log_query(console, "TAX", "NRD", now)
    log_query(console, "CIV", "NRD", max(start_of_today, now - timedelta(minutes=1)))
    log_query(console, "TAX", "NRD", now - timedelta(days=2))
    page = console.login("admin1").get("/console/").text
    assert tile(page, "members") == "12"
    assert tile(page, "catalog") == str(
        len(console.app.extensions["alliance"].catalog.index.all_entries())
    )
    assert tile(page, "queries") == "4"
    assert int(tile(page, "lag")) >= 2 * 86400 - 60  # the two-day-old record is not anchored
    assert tile(page, "alerts") == "0"
    assert tile(page, "chain").isdigit()
    assert "<td>TAX</td><td>3</td>" in page and "<td>CIV</td><td>1</td>" in page
    assert "<td>NRD</td><td>4</td>" in page
    two_days_ago = (datetime.now(CHINA) - timedelta(days=2)).date().isoformat()
    assert f"<title>{two_days_ago}: 1</title>" in page
    assert 'lang="zh-CN"' in page and "首页" in page
    assert 'data-page="home" aria-current="page"' in page


def test_the_navigation_marks_the_section_of_a_detail_page(console: Console) -> None:
    page = console.login("admin1").get("/console/members/TAX").text
    assert 'data-page="members" aria-current="page"' in page
    assert page.count('aria-current="page"') == 1


def test_a_department_home_counts_only_its_own_queries(console: Console) -> None:
    now = datetime.now(UTC)
    log_query(console, "TAX", "NRD", now)
    log_query(console, "CIV", "NRD", now)
    log_query(console, "HUD", "TAX", now)
    page = console.login("tax1").get("/console/").text
    assert tile(page, "queries") == "2"
    assert "<td>CIV</td>" not in page and "<td>HUD</td>" not in page
    assert 'data-testid="tile-alerts"' not in page
    assert 'href="/console/members/TAX"' in page


def test_catalogue_search_and_entry_versions(console: Console) -> None:
    client = console.login("auditor1")
    found = client.get("/console/catalog", query_string={"q": "婚姻"}).text
    assert "/console/catalog/CIV-MARRIAGE" in found
    assert "/console/catalog/NRD-TITLE" not in found
    by_provider = client.get("/console/catalog", query_string={"provider": "nrd"}).text
    assert "/console/catalog/NRD-TITLE" in by_provider
    assert "/console/catalog/CIV-MARRIAGE" not in by_provider
    entry = console.app.extensions["alliance"].catalog.get("NRD-TITLE")
    detail = client.get("/console/catalog/NRD-TITLE").text
    assert entry.version_hash in detail
    assert all(f.name in detail for f in entry.spec.fields)
    assert client.get("/console/catalog/NOPE").status_code == 404


def test_grant_list_filters_by_status_and_consumer(console: Console) -> None:
    client = console.login("admin1")
    page = client.get("/console/grants", query_string={"consumer": "tax"}).text
    rows = re.findall(r"<tr data-grant=\"[0-9a-f]+\">\s*<td[^>]*>[^<]*</td><td>([A-Z]+)</td>", page)
    assert rows and set(rows) == {"TAX"}
    assert (
        "data-grant=" not in client.get("/console/grants", query_string={"status": "rejected"}).text
    )


def test_approving_an_application_from_the_page(console: Console) -> None:
    from gateway.catalog.actors import Actor

    container = console.app.extensions["alliance"]
    entry = container.catalog.get("NRD-TITLE")
    names = [f.name for f in entry.spec.fields][:2]
    grant = container.grants.apply(
        "NRD-TITLE",
        "TAX",
        "M-PAGE",
        "契税征收",
        names,
        datetime.now(UTC) + timedelta(days=90),
        Actor("TAX", False, "test"),
    )
    client = console.login("admin1")
    detail = client.get(f"/console/grants/{grant.id}")
    assert 'data-action="approve"' in detail.text
    expiry = (datetime.now(CHINA) + timedelta(days=30)).date().isoformat()
    answer = client.post(
        f"/console/grants/{grant.id}/approve",
        data={
            "fields": names[:1],
            "expires_at": expiry,
            "csrf_token": console.token(client, f"/console/grants/{grant.id}"),
        },
        follow_redirects=True,
    )
    assert answer.status_code == 200 and "操作成功" in answer.text
    approved = container.grants.index.get(grant.id)
    assert approved.status.value == "approved"
    assert approved.allowed_fields == tuple(names[:1])
    assert approved.expires_at.astimezone(CHINA).date().isoformat() == expiry
    assert approved.last_tx_hash in answer.text

    again = client.post(
        f"/console/grants/{grant.id}/reject",
        data={"reason": "重复", "csrf_token": console.token(client)},
        follow_redirects=True,
    )
    assert "操作失败" in again.text
    assert container.grants.index.get(grant.id).status.value == "approved"


def test_english_on_request_and_remembered(console: Console) -> None:
    client = console.login("admin1")
    english = client.get("/console/members?lang=en")
    assert 'lang="en"' in english.text and "Members" in english.text
    assert "console_lang=en" in english.headers["Set-Cookie"]
    assert 'lang="en"' in client.get("/console/catalog").text
    assert 'lang="zh-CN"' in client.get("/console/catalog?lang=zh").text


def test_strangers_are_sent_to_sign_in_and_back(console: Console) -> None:
    client = console.client()
    answer = client.get("/console/grants")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/console/login?next=")
    form = client.get(answer.headers["Location"])
    from tests.gateway.console.conftest import PASSWORD, csrf_of

    back = client.post(
        answer.headers["Location"],
        data={"username": "admin1", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
    )
    assert back.headers["Location"] == "/console/grants"
    elsewhere = console.client()
    form = elsewhere.get("/console/login")
    away = elsewhere.post(
        "/console/login?next=https://evil.example/",
        data={"username": "admin1", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
    )
    assert away.headers["Location"] == "/console/"


def test_unknown_console_pages_are_html(console: Console) -> None:
    answer = console.login("admin1").get("/console/no-such-page")
    assert answer.status_code == 404
    assert answer.mimetype == "text/html" and "未找到" in answer.text


def test_every_status_has_a_label_in_both_languages() -> None:
    from gateway.catalog.model import EntryStatus, GrantStatus
    from gateway.console.i18n import MESSAGES
    from gateway.console.roles import ConsoleRole
    from gateway.members.model import MemberStatus

    keys = [f"member_status_{s.value}" for s in MemberStatus]
    keys += [f"grant_status_{s.value}" for s in GrantStatus]
    keys += [f"entry_status_{s.value}" for s in EntryStatus]
    keys += [f"role_{r.value}" for r in ConsoleRole]
    missing = [key for key in keys if key not in MESSAGES]
    assert not missing
    assert all(zh and en for zh, en in MESSAGES.values())


def test_console_actions_are_readable_by_auditors_only(console: Console) -> None:
    console.login("admin1")
    console.client().post("/console/login", data={"username": "x", "password": "y"})
    auditor = console.login("auditor1")
    page = auditor.get("/console/audit/console-actions").text
    assert "<td>admin1</td>" in page and "<td>login</td>" in page
    assert 'data-page="audit" aria-current="page"' in page
    refused = auditor.get("/console/audit/console-actions", query_string={"outcome": "refused"})
    assert "<td>admin1</td>" not in refused.text and "POST console.login_submit" in refused.text
    assert console.login("tax1").get("/console/audit/console-actions").status_code == 403
    assert console.login("operator1").get("/console/audit/console-actions").status_code == 403


def test_admitting_an_applicant_shows_its_secret_once(console: Console) -> None:
    from gateway.members.model import MemberProfile, Role

    container = console.app.extensions["alliance"]
    container.members.apply(
        MemberProfile(
            code="NEWDEPT", name_zh="新成员单位", name_en="", credit_code="", roles=Role.CONSUMER
        ),
        None,
        "test",
    )
    client = console.login("admin1")
    detail = client.get("/console/members/NEWDEPT").text
    assert 'data-action="approve"' in detail and 'data-action="reinstate"' not in detail
    answer = client.post(
        "/console/members/NEWDEPT/approve", data={"reason": "", "csrf_token": csrf_of(detail)}
    )
    assert answer.status_code == 200 and 'data-testid="credentials"' in answer.text
    member = container.members.get("NEWDEPT")
    assert member.status.value == "active"
    secret = re.search(r"<dt>client_secret</dt><dd class=\"hash\">([^<]+)<", answer.text)
    assert secret and secret.group(1) not in client.get("/console/members/NEWDEPT").text
    assert container.members.history("NEWDEPT")[-1].actor == "console:admin1"


def test_a_refused_transition_changes_nothing_and_is_logged_as_failed(console: Console) -> None:
    from gateway.console.audit import AdminActionQuery

    client = console.login("admin1")
    token = console.token(client, "/console/members/TAX")
    answer = client.post(
        "/console/members/TAX/reinstate",
        data={"reason": "", "csrf_token": token},
        follow_redirects=True,
    )
    assert "操作失败" in answer.text
    assert console.app.extensions["alliance"].members.get("TAX").status.value == "active"
    missing_reason = client.post(
        "/console/members/TAX/suspend", data={"reason": " ", "csrf_token": token}
    )
    assert missing_reason.status_code == 302
    assert "请填写原因" in client.get(missing_reason.headers["Location"]).text
    assert console.app.extensions["alliance"].members.get("TAX").status.value == "active"
    logged = console.services.audit.find(AdminActionQuery(username="admin1", outcome="failed"))
    assert [a.action for a in logged] == ["member_suspend", "member_reinstate"]
