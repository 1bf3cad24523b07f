"""Each role, signed in through the browser, sees exactly the pages it may and is refused
(403) on the others; every page it may see is screenshotted."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import ConsoleBrowser, status_of

PAGE_PATHS = {
    "home": "/console/",
    "records": "/console/records",
    "contracts": "/console/contracts",
    "apis": "/console/apis",
    "members": "/console/members",
    "catalog": "/console/catalog",
    "grants": "/console/grants",
    "audit": "/console/audit",
    "reconciliation": "/console/reconciliation",
    "jobs": "/console/jobs",
    "supervision": "/console/supervision",
    "supervision_rules": "/console/supervision_rules",
    "chains": "/console/chains",
    "federation": "/console/federation",
    "transfers": "/console/transfers",
}
EVERYTHING = set(PAGE_PATHS)
# GB/T 39477-2020: administrator, auditor and operator separated; departments see their own.
ALLOWED = {
    "admin1": EVERYTHING,
    "auditor1": EVERYTHING,
    "operator1": {
        "home",
        "contracts",
        "apis",
        "reconciliation",
        "jobs",
        "supervision",
        "supervision_rules",
        "chains",
        "federation",
    },
    "tax1": {
        "home",
        "records",
        "members",
        "catalog",
        "grants",
        "audit",
        "supervision",
        "supervision_rules",
        "transfers",
    },
}
TITLES = {
    "home": "首页",
    "records": "上链记录查询",
    "contracts": "智能合约管理",
    "apis": "API管理",
    "members": "成员管理",
    "catalog": "数据目录",
    "grants": "授权管理",
    "audit": "审计日志",
    "reconciliation": "对账报告",
    "supervision": "案件列表",
    "supervision_rules": "监督规则",
    "chains": "链历史",
    "federation": "多级联盟",
    "transfers": "一件事办理",
}


@pytest.mark.slow
@pytest.mark.parametrize("username", sorted(ALLOWED))
def test_each_role_sees_exactly_what_it_may(
    open_browser: Callable[[], ConsoleBrowser], username: str
) -> None:
    browser = open_browser()
    page = browser.page
    page.goto(browser.url("/console/login"))
    browser.screenshot("login")
    browser.login(username)

    nav = page.locator("nav.sidebar [data-page]")
    shown = {nav.nth(i).get_attribute("data-page") for i in range(nav.count())}
    assert shown == ALLOWED[username]
    for key, title in TITLES.items():
        link = page.locator(f"nav.sidebar [data-page={key}]")
        assert (link.count() == 1) == (key in ALLOWED[username])
        if key in ALLOWED[username]:
            assert link.inner_text() == title

    built = {
        key
        for key in ALLOWED[username]
        if page.locator(f"nav.sidebar a[data-page={key}]").count() == 1
    }
    assert built == ALLOWED[username]
    for key in sorted(built):
        response = page.goto(browser.url(PAGE_PATHS[key]))
        assert status_of(response) == 200, key
        assert page.locator("nav.sidebar a[aria-current=page]").get_attribute("data-page") == key
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        browser.screenshot(key)

    for key in sorted(EVERYTHING - ALLOWED[username]):
        response = page.goto(browser.url(PAGE_PATHS[key]))
        assert status_of(response) == 403, key
        assert "无权访问" in page.content()
    if EVERYTHING - ALLOWED[username]:
        forbidden = sorted(EVERYTHING - ALLOWED[username])[0]
        assert status_of(page.goto(browser.url(PAGE_PATHS[forbidden]))) == 403
        browser.screenshot("forbidden")

    page.goto(browser.url("/console/?lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.sidebar a[data-page=home]").inner_text() == "Home"
    browser.screenshot("home-en")
    page.goto(browser.url("/console/?lang=zh"))
    browser.logout()
    assert "/console/login" in page.url
    assert status_of(page.goto(browser.url("/console/audit"))) == 200
    assert "/console/login" in page.url  # signed out: back to the sign-in page


DETAIL_PAGES = {
    "member-detail": "/console/members/NRD",
    "catalog-entry": "/console/catalog/NRD-TITLE",
    "console-actions": "/console/audit/console-actions",
    "contract-detail": "/console/contracts/MemberRegistry",
    "apis-30-days": "/console/apis?days=30",
    "home-mobile": "/console/",
}


@pytest.mark.slow
def test_detail_pages_render_for_the_administrator(
    open_browser: Callable[[], ConsoleBrowser],
) -> None:
    browser = open_browser()
    browser.login("admin1")
    page = browser.page
    for name, path in DETAIL_PAGES.items():
        if name == "home-mobile":
            page.set_viewport_size({"width": 390, "height": 844})
        response = page.goto(browser.url(path))
        assert status_of(response) == 200, path
        assert page.locator("main h1").count() >= 1, path
        browser.screenshot(name)
    # the narrow layout stacks the navigation above the page
    nav = page.locator("nav.sidebar").bounding_box()
    main = page.locator("main").bounding_box()
    assert nav is not None and main is not None and nav["y"] < main["y"]
