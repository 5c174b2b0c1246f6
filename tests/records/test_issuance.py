"""A record issued as OB 3.0 / CLR 2.0 credentials: verifiable, tied to its history, revocable."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials import status_list
from credentials.eddsa_rdfc import add_proof
from credentials.multikey import did_key
from credentials.verify import DATA_INTEGRITY, JWT, verify_credential
from grader.errors import RecordVerificationFailed
from records.compute import compute_record
from records.issuance import Issuer, issue, plan, status_positions
from records.model import Event
from tests.records.histories import (
    LEARNER,
    exam,
    freeze,
    grade,
    history,
    make_programme,
    override,
    proctoring,
)

ISSUED_AT = "2026-06-30T12:00:00+00:00"
STATUS_URL = "https://grades.example.edu/api/v1/records/status"
KEY = Ed25519PrivateKey.generate().private_bytes_raw()
DID = did_key(Ed25519PrivateKey.from_private_bytes(KEY).public_key().public_bytes_raw())
ISSUER = Issuer(DID, "Example University", KEY, STATUS_URL)

GRADED = (
    grade("stats", "hw1", 9),
    exam("stats", 80),
    proctoring("stats", "verified"),
    grade("ml", "hw1", 7),
    exam("ml", 70),
)


def issued(
    *changes: dict[str, Any], proof_format: str = "clr-di"
) -> tuple[bytes, dict[str, Any], tuple[Event, ...]]:
    events = history(*changes)
    record = compute_record(make_programme(), LEARNER, events).to_dict()
    positions = {claim.credential_id: n for n, claim in enumerate(plan(record, ISSUER, ISSUED_AT))}
    return issue(record, events, ISSUER, ISSUED_AT, positions, proof_format), record, events


def positions_now(before: dict[str, Any], now: dict[str, Any]) -> dict[str, list[int]]:
    claims = plan(before, ISSUER, ISSUED_AT)
    return status_positions(list(enumerate(claims)), {("ds-micromasters", LEARNER): now})


def record_after(*changes: dict[str, Any]) -> dict[str, Any]:
    return compute_record(make_programme(), LEARNER, history(*changes)).to_dict()


def test_the_clr_and_each_embedded_course_credential_verify() -> None:
    data, record, _ = issued(*GRADED)
    verified = verify_credential(data, {}, check_status=False)
    assert verified.proof_format == DATA_INTEGRITY
    assert verified.credential["type"] == ["VerifiableCredential", "ClrCredential"]
    assert verified.embedded == len(record["courses"]) + 1


def test_a_course_credential_taken_out_of_the_clr_verifies_alone() -> None:
    data, _, _ = issued(*GRADED)
    course = json.loads(data)["credentialSubject"]["verifiableCredential"][0]
    assert "AchievementCredential" in course["type"]
    assert verify_credential(json.dumps(course).encode(), {}, check_status=False).embedded == 0


def test_the_clr_as_a_vc_jwt_verifies() -> None:
    data, _, _ = issued(*GRADED, proof_format="clr-jwt")
    assert verify_credential(data, {}, check_status=False).proof_format == JWT


def test_one_changed_byte_of_an_issued_clr_fails() -> None:
    data, _, _ = issued(*GRADED)
    grade_text = b'"value": "8'
    assert grade_text in data
    with pytest.raises(RecordVerificationFailed, match="does not match"):
        verify_credential(data.replace(grade_text, b'"value": "9', 1), {}, check_status=False)


def digest_of(evidence: dict[str, Any]) -> str:
    return base64.urlsafe_b64decode(evidence["id"].removeprefix("ni:///sha-256;") + "=").hex()


def test_evidence_names_the_hash_of_every_history_event_a_course_result_came_from() -> None:
    data, record, events = issued(*GRADED)
    stats = json.loads(data)["credentialSubject"]["verifiableCredential"][0]
    sources = {s["seq"] for s in record["courses"][0]["sources"] if "seq" in s}
    assert {digest_of(e) for e in stats["evidence"]} == {events[seq - 1].hash for seq in sources}


def test_the_clr_evidence_is_the_history_chain_head() -> None:
    data, record, events = issued(*GRADED)
    (head,) = json.loads(data)["evidence"]
    assert digest_of(head) == record["history_hash"] == events[-1].hash


def test_a_regrade_revokes_the_course_credential_and_the_clr_that_claimed_the_old_grade() -> None:
    before = record_after(*GRADED)
    now = record_after(*GRADED, grade("ml", "hw1", 10, version=2))
    claims = plan(before, ISSUER, ISSUED_AT)
    revoked = {claims[n].course for n in positions_now(before, now)["revocation"]}
    assert revoked == {"ml", ""}  # the ml course credential, the programme credential and the CLR


def test_a_rejected_exam_revokes_what_claimed_it_verified() -> None:
    before = record_after(*GRADED)
    now = record_after(*GRADED, proctoring("stats", "rejected", version=2))
    claims = plan(before, ISSUER, ISSUED_AT)
    assert "stats" in {claims[n].course for n in positions_now(before, now)["revocation"]}


def test_a_course_graded_since_is_progress_not_a_revocation() -> None:
    before = record_after(grade("stats", "hw1", 9), exam("stats", 80), proctoring("stats", "verified"))
    now = record_after(*GRADED)
    assert positions_now(before, now)["revocation"] == []


def test_a_frozen_record_suspends_its_credentials_and_an_override_revokes() -> None:
    before = record_after(*GRADED)
    assert positions_now(before, record_after(*GRADED, freeze()))["suspension"] != []
    assert positions_now(before, record_after(*GRADED, override("ml", 99)))["revocation"] != []


def test_a_revoked_clr_fails_its_status_check_end_to_end() -> None:
    data, before, _ = issued(*GRADED)
    now = record_after(*GRADED, grade("ml", "hw1", 10, version=2))
    claims = plan(before, ISSUER, ISSUED_AT)
    positions = positions_now(before, now)
    lists = [
        json.dumps(
            add_proof(
                status_list.list_credential(f"{STATUS_URL}/{p}", p, DID, ISSUED_AT, positions[p]),
                KEY,
                f"{DID}#{DID.removeprefix('did:key:')}",
                ISSUED_AT,
            )
        ).encode()
        for p in status_list.PURPOSES
    ]
    assert len(claims) == len(before["courses"]) + 2
    assert verify_credential(data, {}, lists).statuses == ("revocation",)
