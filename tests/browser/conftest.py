"""Browser fixtures: the real app behind a real HTTP server, seen through Debian's chromium.

The app is the session's `app` fixture (tests/conftest.py: test communes migrated,
emptied after each test), served by werkzeug on a free 127.0.0.1 port in a
background thread. Chromium resolves every host name to 127.0.0.1, so
`http://alpha.test:<port>/` reaches that server with `Host: alpha.test:<port>`
and the app picks the commune from the Host header, as behind a real proxy.

Playwright drives Debian's chromium (`executable_path`); Playwright's own browser
download is never used. Without chromium the browser tests are skipped, with the
command that installs it.
"""
import shutil
import threading
from collections.abc import Callable, Iterator

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * 127.0.0.1",  # alpha.test, beta.test, portail.test… → the live server
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
TIMEOUT_MS = 5_000  # a local server answers in milliseconds; fail fast rather than hang


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request (errors are still logged)."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[int]:
    """The app on a real HTTP server in a background thread; yields its port."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def url(live_server) -> Callable[..., str]:
    """`url("alpha.test", "/accueil")`: that host's page on the live server."""

    def make(host: str, path: str = "/") -> str:
        return f"http://{host}:{live_server}{path}"

    return make


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole session."""
    if CHROMIUM is None:
        pytest.skip("chromium introuvable : lancez ./scripts/ensure-chromium (chromium de Debian)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright absent : pip install -e '.[test]'")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized tab in a fresh context (own cookies), closed after the test."""
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized tab (375×740) in a fresh context."""
    context, page = _new_page(browser, PHONE)
    yield page
    context.close()
