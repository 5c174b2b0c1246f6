"""Programme records over HTTP: programmes, a learner's record (derived from its history, with
how each number came to be), overrides and freezes with a reason, signed exports, share links.

A record is never stored as such: it is computed from the learner's hash-chained history
each time it is read, so it always agrees with that history; the history is verified with
every read, and a broken one yields no record and no export (409) until an admin looks.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue

from credentials.status_list import PURPOSES
from grader.errors import BadInput, Conflict, Forbidden, NotFound
from records.compute import compute_record
from records.explain import explain
from records.export import to_clr, to_csv
from records.history import verify_history
from records.issuance import FORMATS
from records.model import Event, Record
from records.programme import Programme, parse_programme
from records.signing import encode_signed, public_key_jwk, sign_document
from service import credentials as credential_use
from service import programmes as programme_use
from service.memo import Memo
from web.auth import Caller, can_see_course, current_caller, public, require
from web.downloads import export_filename, private_attachment
from web.forms import uploaded_file
from web.handles import handles
from web.json_body import json_object, reason_field
from web.record_key import credential_issuer, public_base

records = Blueprint("records", __name__)
ISSUER = {"id": "urn:autograde:service", "type": ["Profile"], "name": "autograde"}
LEGACY = "legacy"
_programmes: Memo[Programme] = Memo(256)


def programme_of(programme_id: str) -> Programme:
    title, spec_name, spec_text = handles().store.get_programme(programme_id)
    return _programmes.get((programme_id, spec_text), lambda: parse_programme(spec_name, spec_text))


def readable_record(programme_id: str, learner: str) -> tuple[Programme, Caller]:
    caller = current_caller()
    if caller.role == "learner" and caller.name != learner:
        raise NotFound(
            f"no record of {learner!r} in programme {programme_id!r}"
        )  # not even whether it exists
    if caller.role not in ("learner", "admin", "instructor"):
        raise Forbidden(f"a {caller.role} token may not read programme records")
    programme = programme_of(programme_id)
    if caller.role == "instructor":
        check_teaches(caller, programme)
    return programme, caller


def check_teaches(caller: Caller, programme: Programme) -> None:
    """An instructor acts on records of a programme only if they teach one of its courses."""
    if not any(can_see_course(caller, course.course) for course in programme.courses):
        raise Forbidden(f"this token gives access to none of the courses of programme {programme.id!r}")


def record_for(programme: Programme, learner: str) -> Record:
    """The record, computed only from a history that verifies: a broken one is refused (409)."""
    history = handles().store.record_history(programme.id, learner)
    broken = verify_history(history)
    if broken is not None:
        raise Conflict(
            f"the record history of {learner!r} in {programme.id!r} fails verification at event {broken}; "
            "no record is computed or exported from it until an admin looks"
        )
    return compute_record(programme, learner, history)


@records.post("/programmes")
def create_programme() -> tuple[Response, int]:
    """Multipart ``spec`` (programme.yaml or .json); 422 ``invalid_programme`` lists every problem."""
    require("admin")
    spec_name, data = uploaded_file("spec")
    return jsonify(programme_json(store_programme(spec_name, data))), 201


def store_programme(spec_name: str, data: bytes) -> Programme:
    """Parse and keep a programme spec; nothing is stored unless all of it is valid."""
    return programme_use.create_programme(handles().store, spec_name, data)


def programme_json(programme: Programme) -> dict[str, Any]:
    return {
        "id": programme.id,
        "title": programme.title,
        "electives_needed": programme.electives_needed,
        "courses": [
            {
                "course": c.course,
                "required": c.required,
                "credits": c.credits,
                "pass_threshold": c.pass_threshold,
                "weights": {"assignments": c.weight_assignments, "exam": c.weight_exam},
                "requires_verified_exam": c.requires_verified_exam,
            }
            for c in programme.courses
        ],
        "policies": {
            "attempts": programme.policies.attempts,
            "rounding": programme.policies.rounding,
            "letters": [{"letter": b.letter, "min": b.min} for b in programme.policies.letters],
            "freeze_at": programme.policies.freeze_at.isoformat() if programme.policies.freeze_at else None,
        },
    }


@records.get("/programmes")
def list_programmes() -> Response:
    return jsonify([programme_json(programme_of(p)) for p in handles().store.list_programmes()])


@records.get("/programmes/<programme_id>")
def get_programme(programme_id: str) -> dict[str, Any]:
    return programme_json(programme_of(programme_id))


@records.get("/programmes/<programme_id>/records/<learner>")
def get_record(programme_id: str, learner: str) -> dict[str, Any]:
    programme, _ = readable_record(programme_id, learner)
    record = record_for(programme, learner)
    return {"record": record.to_dict(), "explanation": explain(record), "history_intact": True}


@records.get("/programmes/<programme_id>/records/<learner>/history")
def get_history(programme_id: str, learner: str) -> dict[str, Any]:
    readable_record(programme_id, learner)
    history = handles().store.record_history(programme_id, learner)
    broken = verify_history(history)
    return {
        "events": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "body": e.body,
                "at": e.at,
                "actor": e.actor,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in history
        ],
        "intact": broken is None,
        "first_broken_seq": broken,
    }


@records.post("/programmes/<programme_id>/records/<learner>/overrides")
def override(programme_id: str, learner: str) -> tuple[Response, int]:
    """``{"course": ..., "value": 0-100, "reason": ...}``: an instructor sets a course grade, with a reason."""
    body = json_object()
    event = add_override(programme_id, learner, body.get("course"), body.get("value"), body)
    return jsonify({"seq": event.seq, "hash": event.hash}), 201


def add_override(programme_id: str, learner: str, course: Any, value: Any, body: dict[str, Any]) -> Event:
    """An instructor of the programme sets a course grade; ``body`` holds the required ``reason``."""
    caller = require("admin", "instructor")
    programme = programme_of(programme_id)
    check_teaches(caller, programme)
    reason = reason_field(body, "in the history")
    if not isinstance(course, str) or programme.find_course(course) is None:
        raise BadInput(
            f"course must be one of the programme's: {', '.join(c.course for c in programme.courses)}"
        )
    if not can_see_course(caller, course):
        raise Forbidden(
            f"this token gives no access to course {course!r}: only its instructors may override its grade"
        )
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise BadInput("value must be a course grade from 0 to 100")
    h = handles()
    versions = [e for e in existing_history(programme_id, learner) if e.kind == "override"]
    return h.store.append_record_event(
        programme_id,
        learner,
        "override",
        {
            "course": course,
            "field": "grade",
            "value": float(value),
            "reason": reason,
            "author": caller.name,
            "version": len(versions) + 1,
        },
        h.clock(),
        caller.name,
    )


@records.post("/programmes/<programme_id>/records/<learner>/freeze")
def freeze(programme_id: str, learner: str) -> tuple[Response, int]:
    """``{"reason": ...}``: from now on a change to this record needs an instructor's reason."""
    event = add_freeze(programme_id, learner, json_object())
    return jsonify({"seq": event.seq, "hash": event.hash}), 201


def add_freeze(programme_id: str, learner: str, body: dict[str, Any]) -> Event:
    """A freeze holds later grades of every course in the record, so it needs all of them taught."""
    caller = require("admin", "instructor")
    programme = programme_of(programme_id)
    check_teaches(caller, programme)
    untaught = [c.course for c in programme.courses if not can_see_course(caller, c.course)]
    if untaught:
        raise Forbidden(
            f"a freeze holds every course of the record; this token gives no access to {', '.join(untaught)}"
        )
    reason = reason_field(body, "in the history")
    existing_history(programme_id, learner)
    h = handles()
    return h.store.append_record_event(
        programme_id, learner, "freeze", {"reason": reason, "author": caller.name}, h.clock(), caller.name
    )


def existing_history(programme_id: str, learner: str) -> list[Event]:
    """A write names a learner with a record: a typo or an invented name must not start a history."""
    history = handles().store.record_history(programme_id, learner)
    if not history:
        raise NotFound(f"no record of {learner!r} in programme {programme_id!r}")
    return history


def signed_export(programme: Programme, learner: str) -> bytes:
    """The legacy signed record (our own Ed25519 scheme), kept verifiable for one release."""
    record = record_for(programme, learner)
    h = handles()
    issued_at = h.clock().isoformat()
    document = to_clr(record.to_dict(), ISSUER, issued_at)
    return encode_signed(sign_document(document, h.record_keys.signing, issued_at, ISSUER))


def standard_export(programme: Programme, learner: str, proof_format: str) -> bytes:
    """The record as a CLR 2.0 with an OB 3.0 credential per course, by the service's did:web."""
    h = handles()
    record = record_for(programme, learner)
    history = h.store.record_history(programme.id, learner)
    issuer = credential_issuer(h.record_keys, public_base(h.settings))
    return credential_use.issue_record(h.store, record, history, issuer, h.clock(), proof_format)


@records.get("/programmes/<programme_id>/records/<learner>/export.json")
def export_json(programme_id: str, learner: str) -> Response:
    """``?format=clr-di`` (Data Integrity proofs) or ``clr-jwt`` (a VC-JWT); the legacy signature by default."""
    proof_format = request.args.get("format", LEGACY)
    if proof_format not in (LEGACY, *FORMATS):
        raise BadInput(f"format must be one of {', '.join((LEGACY, *FORMATS))}, not {proof_format!r}")
    programme, _ = readable_record(programme_id, learner)
    if proof_format == LEGACY:
        return signed_download(programme, learner)
    data = standard_export(programme, learner, proof_format)
    extension, mimetype = (
        ("jwt", "application/jwt") if proof_format == "clr-jwt" else ("json", "application/json")
    )
    return private_attachment(data, f"{export_filename(programme_id, learner)}-clr.{extension}", mimetype)


@records.get("/records/status/<purpose>")
@public
def status_list(purpose: str) -> Response:
    """The signed Bitstring Status List of ``revocation`` or ``suspension``, as of the last write that could
    change it (no token needed; built once per change, ``service/status_lists.py``)."""
    if purpose not in PURPOSES:
        raise NotFound(f"no status list {purpose!r}; there are {', '.join(PURPOSES)}")
    h = handles()
    issuer = credential_issuer(h.record_keys, public_base(h.settings))
    data = h.status_lists.get(h.store, issuer, purpose, h.clock())
    response = Response(data, mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@records.get("/programmes/<programme_id>/records/<learner>/export.csv")
def export_csv(programme_id: str, learner: str) -> Response:
    programme, _ = readable_record(programme_id, learner)
    record = record_for(programme, learner)
    return private_attachment(
        to_csv(record.to_dict()).encode(), f"{export_filename(programme_id, learner)}-record.csv", "text/csv"
    )


@records.get("/records/public-key")
@public
def public_key() -> dict[str, Any]:
    """The key that signs exported records and the retired ones still trusted, as a JWK set (signing key
    first): `autograde records verify --key-url` reads it."""
    return {"keys": [public_key_jwk(public) for public in handles().record_keys.published]}


# -- share links ------------------------------------------------------------------------


def own_record(programme_id: str, learner: str) -> None:
    caller = require("learner")
    if caller.name != learner:
        raise NotFound(f"no record of {learner!r} in programme {programme_id!r}")
    programme_of(programme_id)


@records.post("/programmes/<programme_id>/records/<learner>/shares")
def create_share(programme_id: str, learner: str) -> tuple[Response, int]:
    """The learner makes a link to their signed record; the token is shown once."""
    body = json_object() if request.get_data(cache=True).strip() else {}
    return jsonify(make_share(programme_id, learner, body.get("label", ""))), 201


def make_share(programme_id: str, learner: str, label: Any) -> dict[str, Any]:
    """A new share link to the learner's own record, with its token (shown this once, stored hashed)."""
    own_record(programme_id, learner)
    if not isinstance(label, str) or len(label) > 200:
        raise BadInput("label must be a string of at most 200 characters")
    token = secrets.token_urlsafe(24)
    h = handles()
    share = h.store.add_share(programme_id, learner, token, label, h.clock())
    return {**share, "token": token, "url": url_for("api.records.shared", token=token)}


@records.get("/programmes/<programme_id>/records/<learner>/shares")
def list_shares(programme_id: str, learner: str) -> Response:
    own_record(programme_id, learner)
    store = handles().store
    return jsonify(
        [{**s, "access_log": store.share_accesses(s["id"])} for s in store.list_shares(programme_id, learner)]
    )


@records.delete("/programmes/<programme_id>/records/<learner>/shares/<share_id>")
def revoke_share(programme_id: str, learner: str, share_id: str) -> dict[str, Any]:
    own_record(programme_id, learner)
    h = handles()
    return h.store.revoke_share(programme_id, learner, share_id, h.clock())


@records.get("/shared/<token>")
@public
def shared(token: str) -> ResponseReturnValue:
    """Whoever holds the link reads the signed record; every use is logged, revoked ones too.

    A browser asks for HTML first, and a file named ``...-record.json`` thrown at a person who
    clicked a link tells them nothing: it is sent to the link's readable page, which offers the
    same signed file. A script (JSON, ``*/*`` or no Accept header) gets the signed JSON itself.
    """
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return redirect(url_for("pages.shared.shared_record", token=token), 303)
    programme, learner = open_share(token)
    return signed_download(programme, learner)


def open_share(token: str) -> tuple[Programme, str]:
    """The programme and learner a share link names; the use is logged first, so a revoked link's is too."""
    h = handles()
    programme_id, learner = h.store.use_share(
        token, h.clock(), request.remote_addr, request.headers.get("User-Agent", "")
    )
    if not programme_id:
        raise NotFound("this share link was revoked")
    return programme_of(programme_id), learner


def signed_download(programme: Programme, learner: str) -> Response:
    data = signed_export(programme, learner)
    return private_attachment(
        data, f"{export_filename(programme.id, learner)}-record.json", "application/json"
    )
