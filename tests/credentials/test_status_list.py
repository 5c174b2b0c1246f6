"""The Bitstring Status List: bits at the right places, a stable encoding, and a capped decoder."""

from __future__ import annotations

import base64
import gzip

import pytest

from credentials.status_list import MIN_BITS, decode, encode, entry, is_set, list_credential, statuses_set
from grader.errors import BadInput, RecordVerificationFailed

URL = "https://grades.example.edu/api/v1/records/status/revocation"
ISSUER = "did:web:grades.example.edu"


def test_set_bits_read_back_and_others_stay_clear() -> None:
    bits = decode(encode([0, 7, 8, 131_071]))
    assert len(bits) * 8 == MIN_BITS
    assert [i for i in (0, 1, 6, 7, 8, 9, 131_070, 131_071) if is_set(bits, i)] == [0, 7, 8, 131_071]
    assert bits[0] == 0b1000_0001  # bit 0 is the most significant bit of the first byte


def test_the_same_bits_give_the_same_list() -> None:
    assert encode([3, 5]) == encode([5, 3])


def test_an_index_outside_the_list_is_refused() -> None:
    with pytest.raises(BadInput):
        encode([MIN_BITS])


def test_a_compressed_bomb_is_refused() -> None:
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(64 * 1024 * 1024))).rstrip(b"=").decode()
    with pytest.raises(RecordVerificationFailed, match="larger"):
        decode(bomb)


def test_a_revoked_credential_is_reported_and_a_good_one_is_not() -> None:
    listed = list_credential(URL, "revocation", ISSUER, "2025-06-30T12:00:00Z", [42])
    revoked = {"issuer": ISSUER, "credentialStatus": entry(URL, "revocation", 42)}
    good = {"issuer": ISSUER, "credentialStatus": entry(URL, "revocation", 43)}
    assert statuses_set(revoked, {URL: listed}) == ["revocation"]
    assert statuses_set(good, {URL: listed}) == []


def test_a_missing_list_fails_rather_than_passes() -> None:
    with pytest.raises(RecordVerificationFailed, match="was not given"):
        statuses_set({"issuer": ISSUER, "credentialStatus": entry(URL, "revocation", 1)}, {})


def test_a_list_by_another_issuer_is_not_believed() -> None:
    listed = list_credential(URL, "revocation", "did:web:evil.example", "2025-06-30T12:00:00Z", [])
    with pytest.raises(RecordVerificationFailed, match="someone other"):
        statuses_set({"issuer": ISSUER, "credentialStatus": entry(URL, "revocation", 1)}, {URL: listed})
