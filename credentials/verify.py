"""Checking a credential from outside, offline: its proof (either kind), its issuer's key, its status.

The bytes are a JSON credential with an embedded ``eddsa-rdfc-2022`` proof, or a VC-JWT.
The key comes from the proof's verification method, which must belong to the credential's
issuer (a valid signature by somebody else proves nothing). The issuer's DID documents and
status lists are passed in, fetched beforehand by whoever verifies; status lists are
credentials too, and are verified the same way before they are believed. A credential that
names a status list nobody gave fails: an unknown status is never taken for a good one.
Credentials embedded in a CLR (``credentialSubject.verifiableCredential``) that carry
proofs of their own are checked as well.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credentials import eddsa_rdfc, status_list, vc_jwt
from credentials.dids import controller_of, resolve_key
from grader.errors import RecordVerificationFailed

MAX_CREDENTIAL_BYTES = 2_000_000
DATA_INTEGRITY = "eddsa-rdfc-2022"
JWT = "vc-jwt"


@dataclass(frozen=True)
class Verified:
    credential: dict[str, Any]
    proof_format: str
    verification_method: str
    statuses: tuple[str, ...]  # the purposes whose bit is set: empty means neither revoked nor suspended
    embedded: int  # embedded credentials whose own proofs were checked


def verify_credential(
    data: bytes,
    did_documents: Mapping[str, Mapping[str, Any]],
    status_lists: Sequence[bytes] = (),
    check_status: bool = True,
) -> Verified:
    """Verifies ``data``; raises ``RecordVerificationFailed`` naming the first thing that does not hold."""
    credential, proof_format, method = verify_proof_of(data, did_documents)
    embedded = _verify_embedded(credential, did_documents)
    statuses: tuple[str, ...] = ()
    if check_status:
        lists = _verified_lists(status_lists, did_documents)
        statuses = tuple(status_list.statuses_set(credential, lists))
    return Verified(credential, proof_format, method, statuses, embedded)


def verify_proof_of(
    data: bytes, did_documents: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, Any], str, str]:
    """The credential, its proof format and signing method, if its proof is valid and by its issuer."""
    if len(data) > MAX_CREDENTIAL_BYTES:
        raise RecordVerificationFailed(f"the credential is over {MAX_CREDENTIAL_BYTES} bytes")
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise RecordVerificationFailed("malformed: the credential is not UTF-8 text") from exc

    def key_for(method: str) -> bytes:
        return resolve_key(method, did_documents)

    if text.startswith("{"):
        credential = _json_object(text)
        method = eddsa_rdfc.verify_proof(credential, key_for).verification_method
        proof_format = DATA_INTEGRITY
    else:
        credential, proof = vc_jwt.verify(text, key_for)
        method, proof_format = proof.verification_method, JWT
    _check_issuer(credential, method)
    return credential, proof_format, method


def _check_issuer(credential: Mapping[str, Any], method: str) -> None:
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if controller_of(method) != issuer_id:
        raise RecordVerificationFailed(
            f"signed by {controller_of(method)}, which is not the credential's issuer {issuer_id!r}"
        )


def _verify_embedded(credential: Mapping[str, Any], did_documents: Mapping[str, Mapping[str, Any]]) -> int:
    subject = credential.get("credentialSubject")
    inner = subject.get("verifiableCredential") if isinstance(subject, dict) else None
    checked = 0
    for position, embedded in enumerate(inner if isinstance(inner, list) else []):
        if isinstance(embedded, dict) and "proof" in embedded:
            try:
                verify_proof_of(json.dumps(embedded).encode("utf-8"), did_documents)
            except RecordVerificationFailed as exc:
                raise RecordVerificationFailed(f"embedded credential {position + 1}: {exc.message}") from exc
            checked += 1
    return checked


def _verified_lists(
    status_lists: Sequence[bytes], did_documents: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    lists = {}
    for data in status_lists:
        listed, _, _ = verify_proof_of(data, did_documents)
        if isinstance(listed.get("id"), str):
            lists[listed["id"]] = listed
    return lists


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise RecordVerificationFailed(f"malformed: the credential is not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise RecordVerificationFailed("malformed: the credential is not a JSON object")
    return value
