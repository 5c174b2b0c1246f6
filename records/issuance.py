"""A programme record as standard credentials anyone can verify: OB 3.0 per course, CLR 2.0 for the whole.

Each course becomes an ``AchievementCredential`` and the programme record a ``ClrCredential``
that embeds them (the shapes of ``records/export.py``), each signed on its own, so a course
credential taken out of the CLR still verifies. Their evidence ties them to the audited
history: one ``Evidence`` per history event a course result was computed from (its SHA-256
as an RFC 6920 ``ni:`` URI) and, on the CLR, the chain head. Each credential carries two
status entries (revocation and suspension) at one position of the issuer's status lists.

Issuing is two steps because positions are the store's to hand out: ``plan`` says which
credentials an export makes and what each claims; ``issue`` signs them with the positions
given. ``statuses`` decides, from what was issued and the records as they are now, which
positions are set: a claimed grade that a regrade, a proctoring decision or an override has
since changed revokes the credentials that claimed it (a course merely graded since is
progress, not a revocation); a frozen record suspends them. Ids hold a digest of the claims,
so a credential issued after a change never shares a position with one revoked for it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credentials import eddsa_rdfc, status_list, vc_jwt
from credentials.dids import method_id
from credentials.multikey import KEY_BYTES, public_of
from records.export import RECORD_TERM, to_clr
from records.history import canonical_json
from records.model import Event

FORMATS = ("clr-di", "clr-jwt")  # the CLR with Data Integrity proofs, or as a VC-JWT
CLAIMED = ("grade", "letter", "passed", "exam_verified")
WHOLE_RECORD = ""  # the ``course`` of the CLR's own claim


@dataclass(frozen=True)
class Issuer:
    did: str  # did:web of the service, or did:key in tests
    name: str
    private: bytes  # the raw Ed25519 signing key
    status_url: str  # status lists are published at STATUS_URL/revocation and STATUS_URL/suspension


@dataclass(frozen=True)
class Claim:
    """One credential an export makes: its id and what it asserts (course "" is the whole record)."""

    credential_id: str
    programme_id: str
    learner: str
    course: str
    claims: dict[str, Any]


def plan(record: Mapping[str, Any], issuer: Issuer, issued_at: str) -> list[Claim]:
    """The credentials ``issue`` will sign for ``record``: each course's, then the CLR."""
    clr = _unsigned_clr(record, issuer, issued_at)
    return _claims(record, clr)


def issue(
    record: Mapping[str, Any],
    history: Sequence[Event],
    issuer: Issuer,
    issued_at: str,
    positions: Mapping[str, int],
    proof_format: str,
) -> bytes:
    """The signed CLR (JSON with embedded proofs, or a compact VC-JWT), ready to hand out."""
    if len(issuer.private) != KEY_BYTES:
        raise ValueError("the issuer key is not a raw Ed25519 key")
    method = method_id(issuer.did, public_of(issuer.private))
    clr = _unsigned_clr(record, issuer, issued_at)
    hashes = {event.seq: event.hash for event in history}
    subject = clr["credentialSubject"]
    for inner, course in zip(subject["verifiableCredential"], [*record["courses"], None], strict=True):
        inner["evidence"] = _course_evidence(course, hashes) if course else _head_evidence(record, history)
        inner["credentialStatus"] = _status(issuer, positions[inner["id"]])
    subject["verifiableCredential"] = [
        eddsa_rdfc.add_proof(inner, issuer.private, method, issued_at)
        for inner in subject["verifiableCredential"]
    ]
    clr["evidence"] = _head_evidence(record, history)
    clr["credentialStatus"] = _status(issuer, positions[clr["id"]])
    if proof_format == "clr-jwt":
        return vc_jwt.sign(clr, issuer.private, method).encode("ascii")
    return json.dumps(
        eddsa_rdfc.add_proof(clr, issuer.private, method, issued_at), ensure_ascii=False
    ).encode()


def status_positions(
    issued: Sequence[tuple[int, Claim]], current: Mapping[tuple[str, str], Mapping[str, Any]]
) -> dict[str, list[int]]:
    """The positions to set in each status list, from what was issued and the records as they are now.

    ``current`` maps (programme, learner) to the record today (``Record.to_dict()``); a learner
    missing from it (their history fails verification) has every credential suspended, none revoked.
    """
    revoked, suspended = [], []
    for position, claim in issued:
        record = current.get((claim.programme_id, claim.learner))
        if record is None:
            suspended.append(position)
            continue
        now = _claimed_courses(record)
        before = claim.claims if claim.course == WHOLE_RECORD else {claim.course: claim.claims}
        if any(was["grade"] is not None and now.get(course) != was for course, was in before.items()):
            revoked.append(position)
        if record.get("frozen"):
            suspended.append(position)
    return {"revocation": revoked, "suspension": suspended}


def _unsigned_clr(record: Mapping[str, Any], issuer: Issuer, issued_at: str) -> dict[str, Any]:
    clr = to_clr(record, {"id": issuer.did, "name": issuer.name}, issued_at)
    claimed = _claimed_courses(record)
    for inner, course in zip(
        clr["credentialSubject"]["verifiableCredential"], [*record["courses"], None], strict=True
    ):
        inner["id"] = f"{inner['id']}:{_digest(claimed[course['course']] if course else claimed)}"
    clr["id"] = f"{clr['id']}:{_digest(claimed)}"
    return clr


def _claims(record: Mapping[str, Any], clr: Mapping[str, Any]) -> list[Claim]:
    claimed = _claimed_courses(record)
    programme, learner = record["programme_id"], record["learner"]
    inner = clr["credentialSubject"]["verifiableCredential"]
    made = [
        Claim(credential["id"], programme, learner, course["course"], claimed[course["course"]])
        for credential, course in zip(inner, record["courses"], strict=False)
    ]
    made.append(Claim(inner[-1]["id"], programme, learner, WHOLE_RECORD, claimed))
    made.append(Claim(clr["id"], programme, learner, WHOLE_RECORD, claimed))
    return made


def _claimed_courses(record: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {course["course"]: {name: course[name] for name in CLAIMED} for course in record["courses"]}


def _course_evidence(course: Mapping[str, Any], hashes: Mapping[int, str]) -> list[dict[str, Any]]:
    return [
        _evidence(
            hashes[source["seq"]],
            f"{source['role']}: {source.get('item', course['course'])}",
            source["role"],
            f"history event {source['seq']} ({source['kind']}), SHA-256 {hashes[source['seq']]}",
        )
        for source in course.get("sources", ())
        if source.get("seq") in hashes
    ]


def _head_evidence(record: Mapping[str, Any], history: Sequence[Event]) -> list[dict[str, Any]]:
    head = record["history_hash"]
    description = (
        f"SHA-256 {head} of history event {record['last_seq']}, the head of the {len(history)} hash-chained "
        f"events the record was computed from (the whole record travels in {RECORD_TERM})"
    )
    return [_evidence(head, "history chain head", "history", description)]


def _evidence(digest: str, name: str, genre: str, description: str) -> dict[str, Any]:
    named = base64.urlsafe_b64encode(bytes.fromhex(digest)).rstrip(b"=").decode("ascii")
    return {
        "id": f"ni:///sha-256;{named}",
        "type": ["Evidence"],
        "name": name,
        "genre": genre,
        "description": description,
    }


def _status(issuer: Issuer, position: int) -> list[dict[str, Any]]:
    return [
        status_list.entry(f"{issuer.status_url}/{purpose}", purpose, position)
        for purpose in status_list.PURPOSES
    ]


def _digest(claims: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(claims)).hexdigest()[:16]
