"""Platforms' published key sets, fetched over HTTPS and cached, refetched once for a key we have not seen.

A platform rotates its signing key by publishing the new one and signing with it: the
first launch with the new ``kid`` finds it missing from our cached set, and one refetch
brings it in. A ``kid`` still missing after that refetch is refused; a stream of unknown
kids cannot make us refetch more than once per ``MIN_REFETCH`` seconds per platform.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from grader.errors import BadSignature, InfrastructureError

FETCH_TIMEOUT = 10.0
MIN_REFETCH = 5.0  # seconds between forced refetches of one key set
MAX_KEYS_BYTES = 256 * 1024


@dataclass
class Fetched:
    keys: dict[str, Mapping[str, Any]]
    at: float
    forced: bool  # fetched because a kid was missing: another such refetch waits MIN_REFETCH


class CachedPlatformKeys:
    """``PlatformKeys`` (service/lti.py) over HTTP, one cache per process."""

    def __init__(self, ttl: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.monotonic = monotonic
        self._cache: dict[str, Fetched] = {}
        self._lock = threading.Lock()

    def key(self, jwks_url: str, kid: str) -> Mapping[str, Any]:
        with self._lock:
            now = self.monotonic()
            cached = self._cache.get(jwks_url)
            fresh = cached is None or now - cached.at > self.ttl
            if cached is None or fresh:
                cached = self._fetch(jwks_url, forced=False)
            throttled = cached.forced and now - cached.at < MIN_REFETCH
            if kid not in cached.keys and not fresh and not throttled:
                cached = self._fetch(jwks_url, forced=True)
            found = cached.keys.get(kid)
        if found is None:
            raise BadSignature(f"the platform's key set at {jwks_url} has no key with kid {kid!r}")
        return found

    def _fetch(self, jwks_url: str, forced: bool) -> Fetched:
        fetched = Fetched(fetch_key_set(jwks_url), self.monotonic(), forced)
        self._cache[jwks_url] = fetched
        return fetched


def fetch_key_set(url: str) -> dict[str, Mapping[str, Any]]:
    """The keys at ``url`` by kid; a platform that cannot be reached is our side's fault to retry (503)."""
    try:
        response = requests.get(url, timeout=FETCH_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        if len(response.content) > MAX_KEYS_BYTES:
            raise InfrastructureError(
                f"the platform's key set at {url} is larger than {MAX_KEYS_BYTES} bytes"
            )
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise InfrastructureError(f"cannot fetch the platform's key set from {url}: {exc}") from exc
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise InfrastructureError(f"the platform's key set at {url} has no 'keys' list")
    return {key["kid"]: key for key in keys if isinstance(key, dict) and isinstance(key.get("kid"), str)}
