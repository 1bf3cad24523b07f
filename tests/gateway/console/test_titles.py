"""Every console page's <title>: "<page name> · 区块链+数据共享支撑管理平台", the platform once."""

from __future__ import annotations

import html
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from flask.testing import FlaskClient

from gateway.console.pages import PAGES
from tests.gateway.console.conftest import Console

PLATFORM = {"zh": "区块链+数据共享支撑管理平台", "en": "Alliance management console"}
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_LINK = re.compile(r'href="(/console/[^"]*)"')
_NOT_PAGES = ("/console/static/", "/console/logout")


def title_of(page: str) -> str:
    titles = _TITLE.findall(page.split("</head>")[0])
    assert len(titles) == 1, titles
    return html.unescape(titles[0]).strip()


def page_name(title: str, lang: str) -> str:
    """The page name before " · <platform>"; the platform must appear exactly once."""
    platform = PLATFORM[lang]
    assert title.count(platform) == 1, title
    assert title.endswith(" · " + platform), title
    name = title.removesuffix(" · " + platform)
    assert name.strip(), title
    return name


def crawl(client: FlaskClient, start: str, limit: int = 80) -> dict[str, str]:
    """GET every console page reachable by links from ``start``: path → <title>."""
    seen: dict[str, str] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        path = urldefrag(queue.popleft())[0]
        bare = urlsplit(path).path
        if path in seen or bare.startswith(_NOT_PAGES) or "lang=" in path:
            continue
        answer = client.get(path)
        if not answer.content_type.startswith("text/html") or answer.status_code != 200:
            continue
        seen[path] = title_of(answer.text)
        for link in _LINK.findall(answer.text):
            queue.append(html.unescape(link))
    return seen


def test_the_platform_name_is_the_home_title_once_after_sign_in(console: Console) -> None:
    client = console.login("admin1")
    page = client.get("/console/")
    assert page.status_code == 200
    assert title_of(page.text) == "首页 · 区块链+数据共享支撑管理平台"


@pytest.mark.parametrize("user", ["admin1", "auditor1", "operator1", "tax1"])
def test_every_page_a_role_reaches_is_titled_by_its_name_and_the_platform(
    console: Console, user: str
) -> None:
    client = console.login(user)
    titles = crawl(client, "/console/")
    assert len(titles) >= 4, titles
    for path, title in titles.items():
        assert page_name(title, "zh"), path


def test_navigation_pages_are_titled_by_their_navigation_name_in_both_languages(
    console: Console,
) -> None:
    client = console.login("admin1")
    nav = client.get("/console/").text
    for lang in ("zh", "en"):
        for page in PAGES:
            match = re.search(rf'<a href="(/console/[^"?]*)[^"]*" data-page="{page.key}"', nav)
            assert match, page.key
            answer = client.get(f"{match.group(1)}?lang={lang}")
            assert answer.status_code == 200, page.key
            assert page_name(title_of(answer.text), lang) == page.title(lang), page.key


def test_sign_in_and_error_pages_carry_the_platform_once(console: Console) -> None:
    client = console.client()
    assert title_of(client.get("/console/login").text) == "登录 · 区块链+数据共享支撑管理平台"
    signed_in = console.login("admin1")
    missing = signed_in.get("/console/no-such-page")
    assert missing.status_code == 404
    assert page_name(title_of(missing.text), "zh")
