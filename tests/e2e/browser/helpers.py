"""What the browser tests do again and again: log in and out, save a screenshot."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

SCREENSHOTS = Path(os.environ.get("AUTOGRADE_SCREENSHOTS", str(ROOT / "var" / "screenshots")))
PASSWORD = "correct horse battery"


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG as a test artefact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Any, server: str, name: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
