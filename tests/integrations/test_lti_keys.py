"""The tool's LTI keys: RSA of at least 2048 bits or refused, published once each by their RFC 7638 thumbprint."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from grader.errors import BadInput
from integrations.lti_keys import (
    ALGORITHM,
    key_id,
    key_set,
    new_private_key_pem,
    private_key_from_pem,
    public_jwk,
    public_key_from_pem,
)

PEM = new_private_key_pem()


def private_pem(key: object) -> bytes:
    return key.private_bytes(  # type: ignore[attr-defined,no-any-return]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_a_new_key_reads_back_as_rsa_2048() -> None:
    assert private_key_from_pem(PEM).key_size == 2048


@pytest.mark.parametrize(
    ("pem", "message"),
    [
        (b"garbage", "not an unencrypted PEM private key"),
        (private_pem(ed25519.Ed25519PrivateKey.generate()), "must be RSA"),
        (private_pem(ec.generate_private_key(ec.SECP256R1())), "must be RSA"),
        (private_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)), "at least 2048 bits"),
    ],
)
def test_anything_but_a_strong_rsa_private_key_is_refused(pem: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        private_key_from_pem(pem)


def test_an_encrypted_private_key_is_refused_not_prompted_for() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    with pytest.raises(BadInput, match="unencrypted"):
        private_key_from_pem(encrypted)


def test_a_retired_key_is_read_from_its_private_or_public_half_alike() -> None:
    key = private_key_from_pem(PEM)
    assert (
        key_id(public_key_from_pem(PEM))
        == key_id(public_key_from_pem(public_pem(key)))
        == key_id(key.public_key())
    )
    ed = ed25519.Ed25519PrivateKey.generate().public_key()
    with pytest.raises(BadInput, match="must be RSA"):
        public_key_from_pem(
            ed.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    with pytest.raises(BadInput, match="not a PEM"):
        public_key_from_pem(b"-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")


def test_the_key_id_is_the_rfc_7638_thumbprint() -> None:
    # RFC 7638 section 3.1's example key and its thumbprint
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs"
        "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajr"
        "n1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    numbers = rsa.RSAPublicNumbers(65537, int.from_bytes(base64.urlsafe_b64decode(n + "=="), "big"))
    assert key_id(numbers.public_key()) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_the_jwk_is_public_only_and_for_rs256_signatures() -> None:
    jwk = public_jwk(private_key_from_pem(PEM).public_key())
    assert set(jwk) == {"kty", "alg", "use", "kid", "n", "e"} and "d" not in jwk
    assert (jwk["kty"], jwk["alg"], jwk["use"], jwk["e"]) == ("RSA", ALGORITHM, "sig", "AQAB")


def test_the_set_lists_each_key_once_the_signing_key_first() -> None:
    signing = private_key_from_pem(PEM).public_key()
    retired = private_key_from_pem(new_private_key_pem()).public_key()
    kids = [jwk["kid"] for jwk in key_set([signing, retired, signing, retired])["keys"]]
    assert kids == [key_id(signing), key_id(retired)]
