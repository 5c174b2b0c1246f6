"""What the browser tests do again and again: log in and out, save a screenshot, wait for the page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.conftest import ROOT
from tests.e2e import faults

SCREENSHOTS = Path(os.environ.get("AUTOGRADE_SCREENSHOTS", str(ROOT / "var" / "screenshots")))
PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}
SAVED: list[Path] = []  # this run's screenshots, listed at the end of the run (conftest)


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG as a test artefact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SAVED.append(path)
    return path


def overflow(page: Any) -> int:
    """How many pixels the page is wider than the screen (0 when nothing scrolls sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def log_in(page: Any, server: str, name: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")


def wait_until(page: Any, expression: str, timeout: float = 30.0) -> Any:
    """Evaluate a JavaScript expression until it is truthy, and return its value.

    Playwright's ``wait_for_function`` re-evaluates a string with ``eval`` inside the page,
    which the app's Content-Security-Policy (no 'unsafe-eval') forbids; ``evaluate`` does not.
    """
    return faults.wait_until(lambda: page.evaluate(expression), timeout, expression, every=0.1)
