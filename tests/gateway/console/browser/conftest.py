"""Browser tests: Debian's Chromium driven by Playwright against the gateway on loopback.

No browser is ever downloaded: Playwright launches ``/usr/bin/chromium``. When it is missing
the tests fail (they do not skip), so a green run always means a browser really ran; install
it with ``apt-get install -y chromium`` (``tests/run-all.sh`` does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

from gateway.console.roles import ConsoleRole
from tests.live_gateway import LiveGateway

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
USERS = {
    "admin1": (ConsoleRole.ADMIN, None),
    "auditor1": (ConsoleRole.AUDITOR, None),
    "operator1": (ConsoleRole.OPERATOR, None),
    "tax1": (ConsoleRole.DEPARTMENT, "TAX"),
}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    with sync_playwright() as driver:
        yield driver


@dataclass
class ConsoleBrowser:
    """One browser profile (its own cookies) on the live gateway's console."""

    live: LiveGateway
    context: BrowserContext
    page: Page
    test_name: str

    def url(self, path: str) -> str:
        return self.live.url + path

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.page.goto(self.url("/console/login"))
        self.page.get_by_label(re.compile("用户名|Username")).fill(username)
        self.page.get_by_label(re.compile("密码|Password")).fill(password)
        with self.page.expect_navigation():
            self.page.locator("form button[type=submit]").first.click()
        assert "/console/login" not in self.page.url, self.page.content()

    def logout(self) -> None:
        with self.page.expect_navigation():
            self.page.locator("header .who button[type=submit]").click()

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test_name}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def console_live(live: LiveGateway) -> LiveGateway:
    """The live gateway with one console account of every role."""
    accounts = live.app.extensions["alliance"].console.accounts
    for username, (role, member) in USERS.items():
        accounts.create(username, f"{username} 测试", role, PASSWORD, member)
    return live


@pytest.fixture
def open_browser(
    playwright: Playwright,
    console_live: LiveGateway,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> Iterator[Callable[[], ConsoleBrowser]]:
    """``open_browser()``: a fresh Chromium profile (no cookies) on the console."""
    contexts: list[BrowserContext] = []
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name).strip("-")

    def launch() -> ConsoleBrowser:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / f"profile-{len(contexts)}"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            accept_downloads=True,
            locale="zh-CN",
            viewport={"width": 1366, "height": 900},
        )
        contexts.append(context)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        return ConsoleBrowser(console_live, context, page, name)

    yield launch
    for context in contexts:
        context.close()


def status_of(response: Any) -> int:
    assert response is not None
    return int(response.status)
