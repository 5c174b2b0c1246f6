"""VC-JWT: a token verifies only as signed, with EdDSA, by the key it names, its claims matching the credential."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import vc_jwt
from credentials.multikey import did_key_method
from grader.errors import RecordVerificationFailed

ISSUER = "did:web:grades.example.edu"
METHOD = f"{ISSUER}#key-1"
PRIVATE = Ed25519PrivateKey.generate().private_bytes_raw()
PUBLIC = Ed25519PrivateKey.from_private_bytes(PRIVATE).public_key().public_bytes_raw()
CREDENTIAL = {
    "id": "urn:autograde:test:ds101",
    "type": ["VerifiableCredential"],
    "issuer": {"id": ISSUER},
    "validFrom": "2026-06-30T12:00:00Z",
    "validUntil": "2030-06-30T12:00:00Z",
    "credentialSubject": {"id": "did:example:alice"},
}


def key_for(method: str) -> bytes:
    assert method == METHOD, method
    return PUBLIC


def b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def parts(token: str) -> list[str]:
    return token.split(".")


def test_a_signed_credential_verifies_with_its_registered_claims() -> None:
    payload, proof = vc_jwt.verify(vc_jwt.sign(CREDENTIAL, PRIVATE, METHOD), key_for)
    assert (
        payload["iss"] == ISSUER
        and payload["jti"] == CREDENTIAL["id"]
        and payload["sub"] == "did:example:alice"
    )
    assert payload["exp"] > payload["nbf"]
    assert (proof.verification_method, proof.created) == (METHOD, CREDENTIAL["validFrom"])


def test_a_changed_payload_fails_the_signature() -> None:
    header, payload, signature = parts(vc_jwt.sign(CREDENTIAL, PRIVATE, METHOD))
    forged = json.loads(base64.urlsafe_b64decode(payload + "==="))
    forged["credentialSubject"] = {"id": "did:example:mallory"}
    forged["sub"] = "did:example:mallory"
    with pytest.raises(RecordVerificationFailed, match="does not match"):
        vc_jwt.verify(f"{header}.{b64(forged)}.{signature}", key_for)


def test_another_keys_signature_is_refused() -> None:
    other = Ed25519PrivateKey.generate().private_bytes_raw()
    with pytest.raises(RecordVerificationFailed, match="does not match"):
        vc_jwt.verify(vc_jwt.sign(CREDENTIAL, other, METHOD), key_for)


@pytest.mark.parametrize("algorithm", ["none", "HS256", "RS256", None])
def test_the_token_cannot_choose_its_algorithm(algorithm: str | None) -> None:
    _, payload, signature = parts(vc_jwt.sign(CREDENTIAL, PRIVATE, METHOD))
    header = b64({"alg": algorithm, "kid": METHOD})
    with pytest.raises(RecordVerificationFailed, match="EdDSA"):
        vc_jwt.verify(f"{header}.{payload}.{signature}", key_for)


def test_a_claim_that_disagrees_with_the_credential_is_refused_even_when_signed() -> None:
    # the signer put another issuer in iss than in the credential: a verifier reading iss would be misled
    token = vc_jwt.sign(CREDENTIAL, PRIVATE, METHOD)
    header = json.loads(base64.urlsafe_b64decode(parts(token)[0] + "==="))
    payload = {**vc_jwt._claims(CREDENTIAL), **CREDENTIAL, "iss": "did:web:evil.example"}
    signing_input = f"{b64(header)}.{b64(payload)}"
    signature = Ed25519PrivateKey.from_private_bytes(PRIVATE).sign(signing_input.encode())
    with pytest.raises(RecordVerificationFailed, match="claim iss"):
        vc_jwt.verify(f"{signing_input}.{b64(signature)}", key_for)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("a.b", "three dot-separated parts"),
        ("a.b.c.d", "three dot-separated parts"),
        (f"{b64(b'not json')}.{b64({})}.x", "header is not JSON"),
        (f"{b64([1, 2])}.{b64({})}.x", "header is not a JSON object"),
        (f"{b64({'alg': 'EdDSA', 'kid': METHOD})}.{b64(b'[')}.x", "payload is not JSON"),
        (f"{b64({'alg': 'EdDSA'})}.{b64({})}.x", "names no key"),
        ("x" * (vc_jwt.MAX_TOKEN_BYTES + 1), "larger than any credential"),
    ],
)
def test_malformed_tokens_are_refused_with_what_is_wrong(token: str, message: str) -> None:
    with pytest.raises(RecordVerificationFailed, match=message):
        vc_jwt.verify(token, key_for)


def test_a_token_carrying_its_key_stands_for_that_keys_did_key() -> None:
    token = vc_jwt.sign(CREDENTIAL, PRIVATE, METHOD)
    header = {"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": b64(PUBLIC)}}
    _, payload, _ = parts(token)
    signing_input = f"{b64(header)}.{payload}"
    signature = Ed25519PrivateKey.from_private_bytes(PRIVATE).sign(signing_input.encode())
    seen: list[str] = []

    def by_did_key(method: str) -> bytes:
        seen.append(method)
        return PUBLIC

    _, proof = vc_jwt.verify(f"{signing_input}.{b64(signature)}", by_did_key)
    assert seen == [did_key_method(PUBLIC)] == [proof.verification_method]


def test_a_carried_key_of_another_curve_names_no_key() -> None:
    header = {"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "X25519", "x": b64(PUBLIC)}}
    with pytest.raises(RecordVerificationFailed, match="names no key"):
        vc_jwt.verify(f"{b64(header)}.{b64({})}.x", key_for)


def test_a_credential_with_a_malformed_date_cannot_be_signed() -> None:
    with pytest.raises(RecordVerificationFailed, match="ISO 8601"):
        vc_jwt.sign({**CREDENTIAL, "validFrom": "yesterday"}, PRIVATE, METHOD)
