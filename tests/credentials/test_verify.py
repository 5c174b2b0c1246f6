"""Verifying from outside: either proof, the issuer's own key, embedded credentials, status lists."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import status_list, vc_jwt
from credentials.contexts import OB_V3, VC_V2
from credentials.dids import did_document, method_id
from credentials.eddsa_rdfc import add_proof
from credentials.multikey import did_key
from credentials.verify import DATA_INTEGRITY, JWT, verify_credential
from grader.errors import RecordVerificationFailed

ISSUED = "2025-06-30T12:00:00Z"
LIST_URL = "https://grades.example.edu/api/v1/records/status/revocation"


def new_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes_raw()


def public_of(private: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def make_badge(issuer: str, index: int | None = None, name: str = "ds101") -> dict[str, Any]:
    badge: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:autograde:test:{name}",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example University"},
        "name": name,
        "validFrom": ISSUED,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"urn:autograde:achievement:{name}",
                "type": ["Achievement"],
                "name": name,
                "criteria": {"narrative": "Pass the course."},
            },
        },
    }
    if index is not None:
        badge["credentialStatus"] = status_list.entry(LIST_URL, "revocation", index)
    return badge


def signed(document: dict[str, Any], private: bytes, did: str) -> bytes:
    return json.dumps(add_proof(document, private, method_id(did, public_of(private)), ISSUED)).encode()


def test_a_did_key_credential_verifies_with_no_document() -> None:
    private = new_key()
    did = did_key(public_of(private))
    verified = verify_credential(signed(make_badge(did), private, did), {})
    assert verified.proof_format == DATA_INTEGRITY and verified.statuses == ()


def test_a_did_web_credential_verifies_with_its_did_document_even_after_rotation() -> None:
    old, new = new_key(), new_key()
    did = "did:web:grades.example.edu"
    issued_before = signed(make_badge(did), old, did)
    rotated = did_document(did, [public_of(new), public_of(old)])
    assert verify_credential(issued_before, {did: rotated}).verification_method.startswith(did + "#key-")


def test_a_key_missing_from_the_did_document_fails() -> None:
    did = "did:web:grades.example.edu"
    key, other = new_key(), new_key()
    with pytest.raises(RecordVerificationFailed, match="not an assertion method"):
        verify_credential(signed(make_badge(did), key, did), {did: did_document(did, [public_of(other)])})


def test_someone_elses_valid_signature_is_not_the_issuers() -> None:
    mallory = new_key()
    forged = signed(make_badge("did:web:grades.example.edu"), mallory, did_key(public_of(mallory)))
    with pytest.raises(RecordVerificationFailed, match="not the credential's issuer"):
        verify_credential(forged, {})


def test_one_changed_byte_fails() -> None:
    private = new_key()
    did = did_key(public_of(private))
    data = signed(make_badge(did, name="ds101"), private, did)
    with pytest.raises(RecordVerificationFailed):
        verify_credential(data.replace(b"ds101", b"ds102", 1), {})


def test_a_vc_jwt_verifies_and_a_changed_one_fails() -> None:
    private = new_key()
    did = did_key(public_of(private))
    token = vc_jwt.sign(make_badge(did), private, method_id(did, public_of(private)))
    verified = verify_credential(token.encode(), {})
    assert verified.proof_format == JWT and verified.credential["iss"] == did
    header, payload, signature = token.split(".")
    tampered = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    with pytest.raises(RecordVerificationFailed):
        verify_credential(f"{header}.{tampered}.{signature}".encode(), {})


def test_a_jwt_with_another_algorithm_is_refused() -> None:
    private = new_key()
    did = did_key(public_of(private))
    token = vc_jwt.sign(make_badge(did), private, method_id(did, public_of(private)))
    none_header = vc_jwt._segment({"alg": "none", "kid": method_id(did, public_of(private))})
    with pytest.raises(RecordVerificationFailed, match="EdDSA"):
        verify_credential((none_header + token[token.index(".") :]).encode(), {})


def test_a_revoked_credential_fails_its_status_check_and_a_good_one_passes() -> None:
    private = new_key()
    did = did_key(public_of(private))
    revocations = signed(status_list.list_credential(LIST_URL, "revocation", did, ISSUED, [7]), private, did)
    revoked = verify_credential(signed(make_badge(did, 7), private, did), {}, [revocations])
    good = verify_credential(signed(make_badge(did, 8), private, did), {}, [revocations])
    assert revoked.statuses == ("revocation",) and good.statuses == ()


def test_a_status_list_signed_by_someone_else_is_not_believed() -> None:
    private, mallory = new_key(), new_key()
    did = did_key(public_of(private))
    fake = signed(
        status_list.list_credential(LIST_URL, "revocation", did, ISSUED, []),
        mallory,
        did_key(public_of(mallory)),
    )
    with pytest.raises(RecordVerificationFailed, match="not the credential's issuer"):
        verify_credential(signed(make_badge(did, 7), private, did), {}, [fake])
