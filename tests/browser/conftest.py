"""Playwright against pytest-django's live server, in Debian's Chromium (never a downloaded
browser). Skipped cleanly when /usr/bin/chromium or Playwright is missing."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (fixtures, assertions) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(autouse=True)
def _short_rendition_ladder(settings):
    """The pages show whatever renditions exist; making the whole ladder (six widths in
    three formats, AVIF the slowest) for every demo image of every browser test would
    triple the suite's time. The ladder itself is tested in tests/media_library and
    tests/publishing with the configured widths."""
    settings.MEDIA_RENDITION_WIDTHS = [160, 320]


@pytest.fixture(autouse=True)
def _demo_renditions(renditions_rendered_once):
    """Every browser test loads the demo afresh: its renditions are rendered once a run."""


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleLog:
    """Console errors and uncaught exceptions of the pages under test."""

    def __init__(self):
        self.errors: list[str] = []

    def attach(self, page):
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("console", self._console)

    def _console(self, message):
        # Expected refusals (409 dependencies, the injected 400) show in the page, in words;
        # Chromium also logs the failed request, which is not a script error.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.errors.append(message.text)


@pytest.fixture
def open_page(browser, live_server):
    """open_page(**context_options): a page in a browser context of its own (its own
    cookies, so another user; its own time zone or locale when given), with its console
    errors collected in `page.console_log`; every context is closed after the test."""
    contexts = []

    def _open(**options):
        options = {"viewport": {"width": 1400, "height": 950}, **options}
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.console_log = ConsoleLog()
        page.console_log.attach(page)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def demo(transactional_db):
    """The demo tenant of `scripts/demo`, its users, catalog and media."""
    from tenants.demo.loader import demo_load
    from tenants.models import Tenant

    demo_load()
    return Tenant.objects.get(slug="demo")


@pytest.fixture
def shot(request):
    """shot(page, name): a numbered full-page screenshot under tests/browser/screenshots/,
    named after the test so each run's artifacts read in the order of the flow."""
    SCREENSHOTS.mkdir(exist_ok=True)
    test = request.node.name.removeprefix("test_")
    counter = {"n": 0}

    def _shot(page, name: str) -> Path:
        counter["n"] += 1
        path = SCREENSHOTS / f"{test}-{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


# axe-core (tests/browser/axe.py): `axe_required` skips a test, with the reason, when
# scripts/install could not install it (no npm).
from tests.browser.axe import axe_required  # noqa: E402, F401
