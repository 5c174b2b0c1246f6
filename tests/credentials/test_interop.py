"""Cross-checked with an independent implementation from PyPI (openbadgeslib, its [ldp] extra).

Ours verify with it, its verify with ours, proofs of the same document by the same key are
the same bytes (Ed25519 is deterministic), and one changed byte fails in both.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openbadgeslib.ob3.clr import bundled_clr_contexts, sign_clr_credential
from openbadgeslib.ob3.ldp import OB3LdpVerifier, add_data_integrity_proof, verify_data_integrity_proof
from openbadgeslib.ob3.signer import OB3Signer
from openbadgeslib.ob3.status_list import encode_bitstring
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier

from credentials import status_list, vc_jwt
from credentials.dids import method_id
from credentials.eddsa_rdfc import add_proof
from credentials.multikey import did_key, public_of
from credentials.verify import verify_credential
from grader.errors import RecordVerificationFailed
from records.compute import compute_record
from records.issuance import Issuer, issue, plan
from tests.records.histories import LEARNER, exam, grade, history, make_programme, proctoring

CREATED = datetime(2026, 6, 30, 12, tzinfo=UTC)
ISSUED_AT = "2026-06-30T12:00:00Z"
KEY = Ed25519PrivateKey.generate()
PRIVATE = KEY.private_bytes_raw()
DID = did_key(public_of(PRIVATE))
METHOD = method_id(DID, public_of(PRIVATE))
PRIVATE_PEM = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
)
PUBLIC_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def our_clr(proof_format: str = "clr-di") -> bytes:
    events = history(grade("stats", "hw1", 9), exam("stats", 80), proctoring("stats", "verified"))
    record = compute_record(make_programme(), LEARNER, events).to_dict()
    issuer = Issuer(DID, "Example University", PRIVATE, "https://grades.example.edu/api/v1/records/status")
    positions = {c.credential_id: n for n, c in enumerate(plan(record, issuer, ISSUED_AT))}
    return issue(record, events, issuer, ISSUED_AT, positions, proof_format)


def our_course_credential() -> dict[str, Any]:
    course: dict[str, Any] = json.loads(our_clr())["credentialSubject"]["verifiableCredential"][0]
    return course


def unsigned(document: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in document.items() if name != "proof"}


def test_our_course_credential_passes_their_full_open_badges_verifier() -> None:
    credential = OB3LdpVerifier(PUBLIC_PEM).verify(our_course_credential())
    assert credential is not None


def test_our_whole_clr_passes_their_data_integrity_check_with_their_clr_context() -> None:
    verify_data_integrity_proof(json.loads(our_clr()), PUBLIC_PEM, extra_contexts=bundled_clr_contexts())


def test_their_signed_clr_verifies_with_ours() -> None:
    clr = unsigned(json.loads(our_clr()))
    theirs = sign_clr_credential(clr, PRIVATE_PEM, METHOD)
    embedded = len(clr["credentialSubject"]["verifiableCredential"])
    assert verify_credential(json.dumps(theirs).encode(), {}, check_status=False).embedded == embedded == 5


def test_their_proof_of_our_credential_verifies_with_ours_and_is_the_same_bytes() -> None:
    document = unsigned(our_course_credential())
    theirs = add_data_integrity_proof(document, PRIVATE_PEM, METHOD, created=CREATED)
    ours = add_proof(document, PRIVATE, METHOD, ISSUED_AT)
    assert theirs["proof"]["proofValue"] == ours["proof"]["proofValue"]
    assert (
        verify_credential(json.dumps(theirs).encode(), {}, check_status=False).verification_method == METHOD
    )


def test_one_changed_byte_fails_in_both() -> None:
    course = our_course_credential()
    course["credentialSubject"]["result"][0]["value"] = "99"
    with pytest.raises(OB3VerificationError):
        OB3LdpVerifier(PUBLIC_PEM).verify(course)
    with pytest.raises(RecordVerificationFailed):
        verify_credential(json.dumps(course).encode(), {}, check_status=False)


def test_our_vc_jwt_passes_their_verifier_and_theirs_passes_ours() -> None:
    course = unsigned(our_course_credential())
    ours = vc_jwt.sign(course, PRIVATE, METHOD)
    assert OB3Verifier(PUBLIC_PEM).verify(ours) is not None
    theirs = OB3Signer(PRIVATE_PEM, algorithm="EdDSA").sign_payload(
        {**course, "iss": DID, "jti": course["id"], "nbf": int(CREATED.timestamp())}
    )
    assert verify_credential(theirs.encode(), {}, check_status=False).credential["id"] == course["id"]
    head, payload, signature = theirs.split(".")
    with pytest.raises(RecordVerificationFailed):
        verify_credential(
            f"{head}.{payload[:-1]}{'A' if payload[-1] != 'A' else 'B'}.{signature}".encode(), {}
        )


def test_status_lists_read_the_same_both_ways() -> None:
    assert status_list.decode(encode_bitstring([5, 99])) == status_list.decode(status_list.encode([99, 5]))


def signed_lists(revoked: list[int]) -> dict[str, bytes]:
    """Our two status lists, signed, by the URL each credential names."""
    lists = {}
    for purpose in status_list.PURPOSES:
        url = f"https://grades.example.edu/api/v1/records/status/{purpose}"
        unsigned_list = status_list.list_credential(
            url, purpose, DID, ISSUED_AT, revoked if purpose == "revocation" else []
        )
        lists[url] = json.dumps(add_proof(unsigned_list, PRIVATE, METHOD, ISSUED_AT)).encode()
    return lists


def test_their_verifier_reads_our_status_lists_a_revoked_credential_fails_and_a_good_one_passes() -> None:
    course = our_course_credential()
    position = int(course["credentialStatus"][0]["statusListIndex"])
    good, revoked = signed_lists([position + 1]), signed_lists([position])
    OB3LdpVerifier(PUBLIC_PEM).verify(
        course, check_status=True, download=good.__getitem__, verify_status_list=False
    )
    with pytest.raises(OB3VerificationError, match="status .revocation. is set"):
        OB3LdpVerifier(PUBLIC_PEM).verify(
            course, check_status=True, download=revoked.__getitem__, verify_status_list=False
        )
    assert verify_credential(json.dumps(course).encode(), {}, list(revoked.values())).statuses == (
        "revocation",
    )
