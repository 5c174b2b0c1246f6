"""Platforms' key sets: cached for the TTL, refetched once for an unknown kid, throttled against kid floods."""

from __future__ import annotations

import pytest

from grader.errors import BadSignature, InfrastructureError
from tests.lti.simulator import Platform
from web.lti.platform_keys import MIN_REFETCH, CachedPlatformKeys


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_set_is_fetched_once_per_ttl(platform: Platform) -> None:
    ticks = Ticks()
    keys = CachedPlatformKeys(ttl=300, monotonic=ticks)
    kid = platform.signing.kid
    assert keys.key(platform.jwks_url, kid)["kid"] == kid
    ticks.now += 299
    keys.key(platform.jwks_url, kid)
    assert platform.jwks_fetches == 1
    ticks.now += 2
    keys.key(platform.jwks_url, kid)
    assert platform.jwks_fetches == 2


def test_unknown_kids_refetch_at_most_once_per_interval(platform: Platform) -> None:
    ticks = Ticks()
    keys = CachedPlatformKeys(ttl=300, monotonic=ticks)
    keys.key(platform.jwks_url, platform.signing.kid)
    for _ in range(5):
        with pytest.raises(BadSignature):
            keys.key(platform.jwks_url, "no-such-kid")
    assert platform.jwks_fetches == 2
    platform.rotate_key()
    ticks.now += MIN_REFETCH
    assert keys.key(platform.jwks_url, platform.signing.kid)["kid"] == platform.signing.kid
    assert platform.jwks_fetches == 3


def test_an_unreachable_key_set_is_our_fault_to_retry_not_a_bad_token() -> None:
    keys = CachedPlatformKeys(ttl=300)
    with pytest.raises(InfrastructureError):
        keys.key("http://127.0.0.1:1/jwks", "any")
