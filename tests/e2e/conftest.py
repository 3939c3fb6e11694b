"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's
live server.

Every test under tests/e2e is marked `e2e`. Without /usr/bin/chromium they are skipped,
except under CI=true where a missing browser is a failure. Each test's page is saved as a
screenshot under tests/e2e/screenshots/ on teardown; `shot(name)` saves intermediate steps.
"""

import functools
import os
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
TIMEOUT_MS = 10_000
CSP_PREFIX = "CSP violation:"
# In every document of the page, frames included, before the page's own scripts.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => console.error(
  `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
  + ` in ${e.documentURI} (${e.sourceFile || ""}:${e.lineNumber}) ${e.sample || ""}`));
"""


def in_ci():
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst: the marker must exist before `-m e2e` / `-m "not e2e"` deselects.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """Chromium, for the tests of this package only: Playwright's event loop stops after."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package to run e2e tests"
        if in_ci():
            pytest.fail(f"CI=true and {message}.", pytrace=False)
        pytest.skip(message)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in this thread, and Django's
    # ORM refuses to run while one exists. The tests never await anything themselves; the
    # setting is lifted when the browser stops so other tests keep Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # With a loop running, `connections` (an asgiref Local) looks in other storage and would
    # open a second connection per database, lacking what the test database was set up with
    # (its serialized contents: serialized_rollback would silently restore nothing). Hand it
    # the connections the test database was set up with.
    originals = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, connection in originals.items():
        connections[alias] = connection
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_locale():
    """The browser's language (navigator.language, Accept-Language); a module may override it."""
    return "en-US"


@pytest.fixture
def page(request, browser, live_server, browser_locale):
    """A fresh browser context on the live server, screenshotted on teardown.

    live_server makes the test transactional: the database is flushed after it, and with it
    what the migrations created (contact types, default tags). Create what a test needs.
    """
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale=browser_locale
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # What the tests check at the end: no uncaught JavaScript error, no missing static file.
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.static_errors = []
    page.on(
        "response",
        lambda r: r.status >= 400 and "/static/" in r.url and page.static_errors.append(r.url),
    )
    # The Content-Security-Policy refuses inline scripts and styles: whatever a page or an
    # htmx swap tries that the policy blocks is a failure of the test that showed it.
    page.csp_violations = []
    page.add_init_script(CSP_LISTENER)
    page.on(
        "console",
        lambda m: m.text.startswith(CSP_PREFIX) and page.csp_violations.append(m.text),
    )
    yield page
    try:
        save_screenshot(page, request.node.name, "end")
    finally:
        context.close()
    assert not page.csp_violations, "\n".join(page.csp_violations)


@pytest.fixture
def shot(request, page):
    """Save a full-page screenshot of the current step: shot("form-filled")."""

    return lambda name: save_screenshot(page, request.node.name, name)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def other_site(tmp_path):
    """A static web site on another origin: another port of 127.0.0.1."""
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.root = tmp_path
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


def save_screenshot(page, test_name, step):
    """Save the whole page as tests/e2e/screenshots/<test>--<step>.png.

    The form's sticky action bar is laid out in place for the capture: in a full-page
    screenshot it would otherwise sit over the middle of the form.
    """
    SCREENSHOTS.mkdir(exist_ok=True)
    slug = re.sub(r"[^\w.-]+", "-", f"{test_name}--{step}").strip("-")
    path = SCREENSHOTS / f"{slug}.png"
    # Through the CSSOM: the style option would add a <style>, which the CSP refuses.
    bars = "document.querySelectorAll('.sticky-actions').forEach(e => e.style.position = %s)"
    page.evaluate(bars % "'static'")
    page.screenshot(path=path, full_page=True)
    page.evaluate(bars % "''")
    return path


def new_page(browser, live_server, locale="en-US", **options):
    """Return a page of a new context on the live server that records script and static
    file errors, as the page fixture does, for tests that need their own context."""
    context = browser.new_context(base_url=live_server.url, locale=locale, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.js_errors, page.static_errors = [], []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on(
        "response",
        lambda r: r.status >= 400 and "/static/" in r.url and page.static_errors.append(r.url),
    )
    return page
