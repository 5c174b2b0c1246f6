"""Fixtures for browser tests: Debian's Chromium driven by Playwright, against the real app over HTTP.

Playwright's own browser download is blocked on these machines, so the tests launch the
system Chromium (``AUTOGRADE_TEST_CHROMIUM``, default ``/usr/bin/chromium``). Without it
they skip on a developer's machine and fail in CI (``CI`` set), where setup installs it.
Screenshots of the main pages go to ``AUTOGRADE_SCREENSHOTS`` (default ``var/screenshots``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.settings import Settings
from store import Store
from tests.e2e.browser.helpers import PASSWORD, SAVED

CHROMIUM = Path(os.environ.get("AUTOGRADE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Name the screenshots this run saved, so a CI log says where its artefacts are."""
    if SAVED:
        terminalreporter.section("screenshots")
        for path in sorted(set(SAVED)):
            terminalreporter.write_line(f"{path} ({path.stat().st_size // 1024} KB)")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the e2e API tests already cover PostgreSQL, and a page does not care."""
    return f"sqlite:///{tmp_path / 'autograde.db'}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: apt-get install -y chromium (scripts/setup.sh does, as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def accounts(settings: Settings, server: str) -> Store:
    """prof teaches intro-data-science; alice, bob, carol, dave and erin are its learners (members: exams need it)."""
    store = Store.from_url(settings.database_url)
    store.create_account("instructor", "prof", PASSWORD, ["intro-data-science"])
    for learner in ("alice", "bob", "carol", "dave", "erin"):
        store.create_account("learner", learner, PASSWORD, ["intro-data-science"])
    return store
