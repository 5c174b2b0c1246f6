"""Sending one signed result to a platform over HTTP: the only network call the service makes.

Redirects are not followed (a 3xx counts as a failure): the URL was checked against the
platform's registration when the submission came in, and a redirect could point anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

USER_AGENT = "autograde-callbacks/1"


@dataclass(frozen=True)
class Answer:
    ok: bool
    status_code: int | None
    error: str
    retry_after: float | None = None  # seconds the receiver asked us to wait (429 or 503 with Retry-After)
    final: bool = False  # the receiver refused this very request for good: sending it again cannot help


def retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds; an HTTP date or garbage is ignored (the backoff applies)."""
    raw = response.headers.get("Retry-After", "").strip()
    return float(raw) if raw.isdigit() else None


def post_result(url: str, body: bytes, headers: dict[str, Any], timeout: float) -> Answer:
    """POST ``body``; ok for any 2xx. Connection errors and timeouts are answers too, not exceptions."""
    try:
        response = requests.post(
            url,
            data=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return Answer(False, None, f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Answer(True, response.status_code, "")
    return Answer(
        False,
        response.status_code,
        f"HTTP {response.status_code}: {response.text[:300]}",
        retry_after(response),
    )
