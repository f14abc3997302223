"""Real-browser fixtures: Debian's Chromium driven by Playwright, and an axe-core check.

Pages come from the ``daphne_server`` fixture (a live Daphne sharing the test database), so data
a test needs must be committed: ``transactional_db`` semantics, which that fixture brings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.axe import AXE
from tests.conftest import require_service

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all the browser tests.

    Package scope, not session: Playwright's sync API keeps an asyncio event loop running in
    this thread until it stops, and while it runs Django refuses ORM calls ("async context").
    Stopping it when the browser tests are done keeps the rest of the suite unaffected.
    """
    require_service("Chromium", CHROMIUM.exists(), "install Debian's chromium (make chromium)")
    require_service("axe-core", AXE.exists(), "run npm ci to install node_modules")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the test (and the database fixtures' flush) use the ORM beside Playwright's loop.

    Autouse, so it is set up before ``transactional_db`` and undone after its teardown. Only
    the browser tests get it: the rest of the suite keeps Django's async-safety check.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) at desktop size."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def site(daphne_server: str) -> str:
    """The live site with the demo data: opening hours, queues and the demo logins."""
    from contactcentre.demo import load_demo_data as load_demo_people
    from routing.demo import load_demo_data as load_demo_routing

    load_demo_routing()
    load_demo_people()
    return daphne_server
