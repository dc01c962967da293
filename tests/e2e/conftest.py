"""End-to-end: Debian's Chromium driven by Playwright against a live server.

Every journey runs at a phone size and a desktop size, fails on any console
error and on horizontal scrolling, and writes screenshots to docs/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
# axe-core, pinned in package-lock.json and installed by scripts/ensure-browser.sh.
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 860}}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "mat-khau-thu-nghiem-1"


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API keeps an event loop in the test thread; the ORM
    # calls the tests make for set-up are still plain synchronous calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(params=sorted(VIEWPORTS))
def screen(request) -> str:
    return request.param


class Session:
    """One browser tab for one person, with the checks every page must pass."""

    def __init__(self, page: Page, base_url: str, screen: str) -> None:
        self.page = page
        self.base_url = base_url
        self.screen = screen
        self.console_errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def go(self, path: str, status: int | None = None) -> Page:
        """Open a page; it must answer `status`, or any success when not given."""
        response = self.page.goto(self.base_url + path)
        assert response is not None, path
        if status is None:
            assert response.status < 400, (path, response.status)
        else:
            assert response.status == status, (path, response.status)
        self.assert_fits_the_screen()
        self.assert_accessible()
        return self.page

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.go("/accounts/login/")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(password)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, "login failed"

    def menu(self):
        """The header's main navigation, opened first where a phone folds it behind "Menu"."""
        toggle = self.page.locator("header .menu > summary")
        if toggle.is_visible() and self.page.locator("header .menu[open]").count() == 0:
            toggle.click()
        return self.page.get_by_role("navigation", name="Điều hướng chính")

    def assert_fits_the_screen(self) -> None:
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{self.page.url} scrolls sideways by {overflow}px on {self.screen}"

    def assert_accessible(self) -> None:
        """No WCAG 2.x A/AA violation that axe-core finds on the page as it is now."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(content=AXE_SCRIPT.read_text(encoding="utf-8"))
        violations = self.page.evaluate(
            """async () => (await axe.run(document, {runOnly: {type: "tag", values:
                ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})).violations.map(
                v => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)"""
        )
        assert not violations, f"{self.page.url} on {self.screen}: " + "; ".join(violations)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.assert_fits_the_screen()
        self.assert_accessible()
        self.page.screenshot(path=SCREENSHOTS / f"{name}-{self.screen}.png", full_page=True)


@pytest.fixture
def session(browser, screen, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    context = browser.new_context(viewport=VIEWPORTS[screen], locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    opened = Session(context.new_page(), live_server.url, screen)
    yield opened
    context.close()
    # The browser reports a page answered with an error status as a console
    # error; a test that opened one on purpose has checked it already.
    unexpected = [e for e in opened.console_errors if "the server responded with a status of" not in e]
    assert not unexpected, unexpected
