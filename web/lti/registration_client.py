"""The HTTP side of LTI Dynamic Registration: fetch a platform's OpenID configuration, post our registration.

Both URLs come from outside (the first from the registering browser's query string, the
second from the first's answer), so each call is bounded: a short timeout, no redirects
followed (a redirect could lead anywhere, the registration token with it), a body read at
most ``MAX_BYTES`` and only JSON accepted. A platform that fails any of this is an
``UpstreamError`` (502) naming the status and, briefly, the platform's own error words,
never its whole body: what an internal URL answers is not echoed back to the caller.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import requests

from grader.errors import UpstreamError

TIMEOUT = 10.0
MAX_BYTES = 256 * 1024
SHOWN = 200  # characters of the platform's error message we repeat


class HttpPlatformClient:
    """``PlatformClient`` (service/lti_dynamic_registration.py) over ``requests``."""

    def __init__(self, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes

    def get_json(self, url: str) -> Any:
        return self._call("GET", url, "OpenID configuration", headers={"Accept": "application/json"})

    def post_json(self, url: str, body: Mapping[str, Any], bearer: str | None) -> Any:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        return self._call("POST", url, "registration endpoint", headers=headers, data=json.dumps(body))

    def _call(self, method: str, url: str, what: str, **kwargs: Any) -> Any:
        try:
            with requests.request(
                method, url, timeout=self.timeout, allow_redirects=False, stream=True, **kwargs
            ) as response:
                content = self._read(response, what)
        except requests.RequestException as exc:
            raise UpstreamError(f"the platform's {what} could not be reached: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise UpstreamError(
                f"the platform's {what} answered {response.status_code}{platform_words(content)}"
            )
        try:
            return json.loads(content)
        except ValueError:
            raise UpstreamError(f"the platform's {what} did not answer JSON") from None

    def _read(self, response: requests.Response, what: str) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes:
                raise UpstreamError(f"the platform's {what} answered more than {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def platform_words(content: bytes) -> str:
    """``: <error_description>`` from an OAuth-style JSON error body, else nothing."""
    try:
        body = json.loads(content)
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    words = body.get("error_description") or body.get("error")
    return f": {str(words)[:SHOWN]}" if isinstance(words, str) and words else ""
