"""Multikey text: base58btc round trips, leading zero bytes kept, wrong prefixes refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credentials.multikey import (
    base58btc,
    from_base58btc,
    private_from_multikey,
    private_multikey,
    public_from_multikey,
    public_multikey,
)
from grader.errors import BadInput, RecordVerificationFailed


@given(st.binary(max_size=80))
def test_base58btc_round_trips_any_bytes(raw: bytes) -> None:
    assert from_base58btc(base58btc(raw)) == raw if raw else base58btc(raw) == ""


def test_leading_zero_bytes_become_leading_ones() -> None:
    assert base58btc(b"\0\0\x01") == "112"


def test_an_ed25519_public_key_reads_as_z6mk_and_back() -> None:
    key = bytes(range(32))
    text = public_multikey(key)
    assert text.startswith("z6Mk") and public_from_multikey(text) == key
    assert private_from_multikey(private_multikey(key)) == key


def test_a_private_key_is_not_taken_for_a_public_one_nor_the_reverse() -> None:
    key = bytes(range(32))
    with pytest.raises(RecordVerificationFailed):
        public_from_multikey(private_multikey(key))
    with pytest.raises(BadInput):
        private_from_multikey(public_multikey(key))


@pytest.mark.parametrize("text", ["", "z0OIl", "mAAAA"])
def test_text_outside_the_alphabet_or_another_base_is_refused(text: str) -> None:
    with pytest.raises(RecordVerificationFailed):
        public_from_multikey(text)
