"""Signatures over timestamp and raw body: what passes, and each way a request is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.errors import BadSignature, StaleRequest
from integrations.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature, signed_headers, verify

SECRET = "s3cret-of-the-platform"
NOW = 1_764_380_000
BODY = b'{"external_id": "sub-1", "learner": "alice"}'


def test_a_freshly_signed_body_verifies_and_yields_its_timestamp() -> None:
    assert verify(SECRET, signed_headers(SECRET, NOW, BODY), BODY, NOW + 3, 300) == NOW


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, NOW, BODY) == f"v1={expected}"


@given(st.binary(min_size=1, max_size=200), st.integers(min_value=0, max_value=199))
def test_any_changed_byte_of_the_body_is_refused(body: bytes, position: int) -> None:
    headers = signed_headers(SECRET, NOW, body)
    index = position % len(body)
    tampered = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
    with pytest.raises(BadSignature, match="does not match"):
        verify(SECRET, headers, tampered, NOW, 300)


def test_another_secret_is_refused() -> None:
    with pytest.raises(BadSignature, match="does not match"):
        verify(SECRET, signed_headers("someone-else", NOW, BODY), BODY, NOW, 300)


def test_a_timestamp_moved_after_signing_is_refused() -> None:
    headers = signed_headers(SECRET, NOW, BODY)
    headers[TIMESTAMP_HEADER] = str(NOW + 10)
    with pytest.raises(BadSignature):
        verify(SECRET, headers, BODY, NOW, 300)


@pytest.mark.parametrize(("skew", "word"), [(301, "old"), (-301, "in the future")])
def test_outside_the_window_is_stale_and_says_which_way(skew: int, word: str) -> None:
    with pytest.raises(StaleRequest, match=word):
        verify(SECRET, signed_headers(SECRET, NOW, BODY), BODY, NOW + skew, 300)


def test_the_window_edge_is_inside() -> None:
    assert verify(SECRET, signed_headers(SECRET, NOW, BODY), BODY, NOW + 300, 300) == NOW


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, TIMESTAMP_HEADER),
        ({TIMESTAMP_HEADER: str(NOW)}, SIGNATURE_HEADER),
        ({TIMESTAMP_HEADER: "yesterday", SIGNATURE_HEADER: "v1=00"}, "whole Unix seconds"),
        ({TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: "sha256=abc"}, "must hold v1="),
    ],
)
def test_missing_or_malformed_headers_say_what_is_wrong(headers: dict[str, str], message: str) -> None:
    with pytest.raises(BadSignature, match=message):
        verify(SECRET, headers, BODY, NOW, 300)


def test_one_of_several_signatures_may_match_while_a_secret_rotates() -> None:
    headers = signed_headers(SECRET, NOW, BODY)
    headers[SIGNATURE_HEADER] = f"{signature('old-secret', NOW, BODY)}, {headers[SIGNATURE_HEADER]}"
    assert verify(SECRET, headers, BODY, NOW, 300) == NOW
