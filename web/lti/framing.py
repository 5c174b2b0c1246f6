"""Who may frame the pages: this site, and the LTI platforms registered here (their issuer and login origins).

A launch opens the tool inside the platform's page, so the pages' ``frame-ancestors`` must
name each registered platform, and no one else: a page framed by a stranger is a
clickjacking target. The list is read from the store at most every ``TTL`` seconds.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from store import Store

TTL = 30.0


def origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or any(c in parts.netloc for c in " ;,'\""):
        return None
    return f"{parts.scheme}://{parts.netloc}"


class FrameAncestors:
    def __init__(self) -> None:
        self._value = "'self'"
        self._at = float("-inf")
        self._lock = threading.Lock()

    def forget(self) -> None:
        """A registration changed in this process: read the list again at the next page."""
        with self._lock:
            self._at = float("-inf")

    def directive(self, store: Store) -> str:
        """``frame-ancestors 'self' https://lms.example.edu ...``"""
        with self._lock:
            if time.monotonic() - self._at > TTL:
                origins = {
                    found
                    for registration in store.list_lti_registrations()
                    for url in (registration.issuer, registration.auth_login_url)
                    if (found := origin(url))
                }
                self._value = " ".join(["'self'", *sorted(origins)])
                self._at = time.monotonic()
            return f"frame-ancestors {self._value}"
