"""The portal in a real browser: Playwright driving Debian's chromium against a live server.

Screenshots of every step are kept in test-artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ismonitor.web.settings")
os.environ["ISMONITOR_ENV"] = "test"
os.environ.setdefault("ISMONITOR_DATA_DIR", tempfile.mkdtemp(prefix="ismonitor-browser-tests-"))
# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# ordinary synchronous calls between browser steps
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

import pytest  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "browser"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def shots(request):
    """Save a full-page screenshot per step: test-artifacts/browser/<test>/<nn>-<step>.png."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    count = [0]

    def shot(page, step: str) -> Path:
        count[0] += 1
        path = folder / f"{count[0]:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shot
