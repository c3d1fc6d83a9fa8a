"""Playwright (Python) driving Debian's Chromium against pytest-django's live server."""

import os

import pytest

from tests.conftest import CHROMIUM

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM is used beside Playwright's loop

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        pytest.fail("Chromium is required for browser tests under CI=true (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30000)  # generous: CI runs two test processes on two cores
    tab = context.new_page()
    csp_errors = []  # the strict Content-Security-Policy: any page that breaks it fails its test
    tab.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield tab
    context.close()
    assert not csp_errors, f"Content-Security-Policy violations: {csp_errors}"


@pytest.fixture
def login(page):
    def do(username, password="pw-for-tests"):
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_label("Password").press("Enter")
        page.wait_for_url("**/")
        return page

    return do
