"""The search page in a real browser (Debian's chromium driven by Playwright), with axe-core on every state.

Skipped, with the reason, where chromium or the `playwright` package is missing; `.ci/run` installs
chromium with apt and axe-core with npm (package.json), so in CI these tests run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from services_api import create_app
from tests.conftest import _database_url

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
EXIT_SITE = "https://www.bbc.co.uk/weather"
BEFORE_SITE = "https://neutral.example/"
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
MANCHESTER: Any = {"latitude": 53.4839, "longitude": -2.2356}

try:
    from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.skipif(
        sync_playwright is None, reason="the playwright package is not installed (pip install -e '.[dev]')"
    ),
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does it)"
    ),
]


class _Quiet(WSGIRequestHandler):
    def log_request(self, *_args: Any) -> None:
        """Keep the test output to the tests."""


@pytest.fixture(scope="module")
def base_url(templates: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeded app served over HTTP in this process, on a free port."""
    database_url = _database_url(templates, tmp_path_factory.mktemp("browser"), seeded=True)
    app: Flask = create_app({"APP_ENV": "testing", "DATABASE_URL": database_url})
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script, installed from the npm registry (npm ci) when it is not there yet."""
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=False, capture_output=True)
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci` (needs npm)")
    return AXE.read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless chromium."""
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


class Visit:
    """A browser tab on the page; every request to another host is refused and recorded."""

    def __init__(self, context: BrowserContext, base_url: str, axe: str):
        self.context, self.base_url, self.axe = context, base_url, axe
        self.foreign: list[str] = []
        context.route("**/*", self._only_this_app)
        self.page: Page = context.new_page()
        self.page.set_default_timeout(10_000)

    def _only_this_app(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.base_url):
            route.continue_()
        elif url.startswith((EXIT_SITE, BEFORE_SITE)):  # the neutral sites, stood in for
            route.fulfill(status=200, content_type="text/html", body="<title>Neutral</title><p>Weather")
        else:
            self.foreign.append(url)
            route.abort()

    def open(self, path: str = "/") -> Page:
        self.page.goto(self.base_url + path)
        return self.page

    def search(self, **fields: str) -> Page:
        for name, value in fields.items():
            self.page.fill(f"#field-{name}", value)
        # The old page has results too: wait for the new one (shown in place, or loaded without JavaScript).
        self.page.evaluate("document.body.setAttribute('data-old', '')")
        self.page.click("form#search button.primary")
        self.page.wait_for_selector("body:not([data-old]) :is(#results, #problems)")
        return self.page

    def assert_accessible(self, state: str) -> None:
        if not self.page.evaluate("typeof axe !== 'undefined'"):
            self.page.evaluate(
                f"{self.axe};void 0"
            )  # through DevTools: the page's CSP forbids inline scripts
        # From the top: at some scroll positions the sticky quick-exit bar half covers a link, which
        # axe's target-size rule counts against whatever link is under it at that moment.
        found = self.page.evaluate(
            f"window.scrollTo(0, 0), axe.run(document, {{runOnly: {json.dumps(AXE_RULES)}}})"
        )
        problems = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found["violations"]]
        assert problems == [], f"{state}: {json.dumps(problems)}"

    def titles(self) -> list[str]:
        return self.page.locator(".result h3 a").all_inner_texts()


@pytest.fixture
def visit(browser: Browser, base_url: str, axe_source: str) -> Iterator[Visit]:
    """A fresh browser context (no history, no storage) at phone width."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="en-GB",
        permissions=["clipboard-read", "clipboard-write"],
    )
    tab = Visit(context, base_url, axe_source)
    yield tab
    assert tab.foreign == [], "requests to other hosts"
    assert context.cookies() == []
    context.close()


def test_search_by_place_then_a_listing_then_a_report(visit: Visit) -> None:
    page = visit.open()
    visit.assert_accessible("empty search page")
    visit.search(near="Manchester")
    assert "services found" in page.inner_text("#results")
    assert "Near Manchester" in page.inner_text(".results")
    assert page.url == visit.base_url + "/"  # the place is in no URL
    visit.assert_accessible("results")
    page.click("text=Example Sexual Health Drop-in (Northern Quarter)")
    page.wait_for_selector("text=Opening hours this week")
    visit.assert_accessible("a service's page")
    page.click("text=Text to pass on by message")
    page.click("#copy-text")
    page.wait_for_selector("text=Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert (
        copied.startswith("Example Sexual Health Drop-in (Northern Quarter)") and "+44 161 496 0210" in copied
    )
    page.emulate_media(media="print")
    assert page.is_hidden(".exit-bar") and page.is_hidden(".report") and page.is_visible("h1")
    page.emulate_media(media="screen")
    page.click("#kind-closed")
    page.fill("#report-message", "The door was locked on Tuesday")
    page.click("text=Send report")
    page.wait_for_selector("text=your report has been sent")
    visit.assert_accessible("report sent")


def test_search_by_postcode_and_a_misspelt_place(visit: Visit) -> None:
    page = visit.open()
    visit.search(near="M4 1LE")
    assert "Example Sexual Health Drop-in (Northern Quarter)" in visit.titles()
    visit.search(near="Camdne")
    assert "We could not find the place" in page.inner_text("#problems")
    assert page.evaluate("document.activeElement.id") == "problems"
    visit.assert_accessible("a place not found")
    page.click("button[value='Camden, London, GB']")
    page.wait_for_selector("#results")
    assert "Near Camden, London, GB" in page.inner_text(".results")


def test_use_my_location(browser: Browser, base_url: str, axe_source: str) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, geolocation=MANCHESTER, permissions=["geolocation"]
    )
    tab = Visit(context, base_url, axe_source)
    page = tab.open()
    posted: list[str] = []
    page.on(
        "request",
        lambda request: posted.append(request.post_data or "") if request.method == "POST" else None,
    )
    page.click("#use-location")
    page.wait_for_selector("#results")
    assert "Near your location" in page.inner_text(".results")
    assert "Example Sexual Health Drop-in (Northern Quarter)" in tab.titles()[:6]
    assert len(posted) == 1 and "lat=53.484" in posted[0] and "lng=-2.236" in posted[0]  # rounded, once
    assert page.url == base_url + "/"
    tab.assert_accessible("results near the device's location (desktop)")
    assert tab.foreign == []
    context.close()


def test_each_filter_and_paging(visit: Visit) -> None:
    page = visit.open()
    visit.search(near="Camden")
    first = visit.titles()
    page.click("button[name=page][value='2']")
    page.wait_for_selector("text=Page 2 of")
    assert not set(first) & set(visit.titles())
    visit.assert_accessible("second page")
    page.select_option("#field-distance", "25")
    page.select_option("#field-category", "housing")
    visit.search()
    housing = visit.titles()
    assert housing and set(housing) != set(first)
    page.check("#need-no-id-required")
    page.check("#need-anonymous")
    page.select_option("#field-language", "en")
    page.check("#field-open_now")
    visit.search(keywords="advice")
    assert page.is_checked("#need-anonymous") and page.is_checked("#field-open_now")
    assert page.input_value("#field-category") == "housing"
    visit.assert_accessible("every filter")
    page.select_option("#field-category", "")
    page.uncheck("#need-no-id-required")
    page.uncheck("#need-anonymous")
    page.uncheck("#field-open_now")
    page.select_option("#field-language", "ro")
    visit.search(keywords="zzzzqqq")
    assert "No service matches" in page.inner_text(".results")
    visit.assert_accessible("no results")


def test_quick_exit_leaves_no_entry_of_the_directory(visit: Visit) -> None:
    page = visit.page
    page.goto(BEFORE_SITE)
    visit.open()
    visit.search(near="Manchester")
    page.click(".result h3 a >> nth=0")
    page.wait_for_selector("text=Report a problem with this listing")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url(EXIT_SITE)
    assert _history_behind(page) == [BEFORE_SITE, "about:blank"]
    visit.open()
    page.click("#exit")
    page.wait_for_url(EXIT_SITE)
    assert not any(url.startswith(visit.base_url) for url in _history_behind(page))


def _history_behind(page: Page) -> list[str]:
    """Return the URLs that Back goes to, one after another."""
    behind = []
    for _ in range(page.evaluate("history.length") - 1):
        page.go_back()
        behind.append(page.url)
    return behind


def test_language_switch_keeps_to_the_path(visit: Visit) -> None:
    page = visit.open()
    page.click("a[hreflang=es]")
    page.wait_for_url(visit.base_url + "/es/")
    assert page.get_attribute("html", "lang") == "es"
    visit.search(near="Manchester")
    assert "servicios encontrados" in page.inner_text("#results")
    page.click("a[hreflang=th]")
    page.wait_for_url(visit.base_url + "/th/")
    assert "ใช้ตำแหน่งของฉัน" in page.inner_text("#use-location")
    visit.assert_accessible("Thai")


def test_every_search_works_without_javascript(browser: Browser, base_url: str, axe_source: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    tab = Visit(context, base_url, axe_source)
    page = tab.open()
    assert page.is_hidden("#use-location")
    tab.search(near="Camden")
    assert page.url.endswith("/#results")
    page.click("button[name=page][value='2']")
    page.wait_for_selector("text=Page 2 of")
    page.click(".result h3 a >> nth=0")
    page.wait_for_selector("text=Report a problem with this listing")
    page.click("#kind-other")
    page.click("text=Send report")
    page.wait_for_selector("text=your report has been sent")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320  # nothing wider than a 320 px screen
    assert tab.foreign == []
    context.close()


def test_two_hundred_percent_zoom_keeps_one_column(visit: Visit) -> None:
    page = visit.page
    page.set_viewport_size({"width": 640, "height": 800})  # a 1280 px window at 200%
    visit.open()
    visit.search(near="Manchester")
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
