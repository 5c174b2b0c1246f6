"""Issuing records as standard credentials and publishing their status: what the API and the CLI share.

An export plans its credentials (``records.issuance.plan``), takes a status list position for
each from the store (the same credential issued twice keeps its position), and signs them.
A status list is computed when it is asked for, from every credential issued and each
learner's record as it is now, so a regrade or a proctoring decision shows in the next list
without anything being rewritten. A learner whose history fails verification has their
credentials suspended until an admin looks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from credentials import eddsa_rdfc, status_list
from credentials.dids import method_id
from credentials.multikey import public_of
from grader.errors import BadInput
from records.compute import compute_record
from records.history import verify_history
from records.issuance import Issuer, issue, plan, status_positions
from records.model import Event, Record
from records.programme import Programme, parse_programme
from store import Store


def issue_record(
    store: Store,
    record: Record,
    history: Sequence[Event],
    issuer: Issuer,
    now: datetime,
    proof_format: str,
) -> bytes:
    """The record's CLR with a course credential per course, each with its status positions."""
    issued_at = _stamp(now)
    data = record.to_dict()
    positions = store.allocate_positions(plan(data, issuer, issued_at), now)
    return issue(data, history, issuer, issued_at, positions, proof_format)


def status_list_credential(store: Store, issuer: Issuer, purpose: str, now: datetime) -> bytes:
    """The signed ``BitstringStatusListCredential`` of ``purpose`` (revocation or suspension), as of now."""
    if purpose not in status_list.PURPOSES:  # refused before the store is read for it
        raise BadInput(f"status purpose {purpose!r} is not one of {', '.join(status_list.PURPOSES)}")
    issued = store.issued_credentials()
    current: dict[tuple[str, str], dict[str, Any]] = {}
    programmes: dict[str, Programme] = {}
    for programme_id, learner in sorted({(claim.programme_id, claim.learner) for _, claim in issued}):
        if programme_id not in programmes:
            _, spec_name, spec_text = store.get_programme(programme_id)
            programmes[programme_id] = parse_programme(spec_name, spec_text)
        record = _current_record(store, programmes[programme_id], learner)
        if record is not None:
            current[(programme_id, learner)] = record
    positions = status_positions(issued, current)[purpose]
    size = max(status_list.MIN_BITS, -(-(max(positions, default=0) + 1) // 8) * 8)
    url = f"{issuer.status_url}/{purpose}"
    unsigned = status_list.list_credential(url, purpose, issuer.did, _stamp(now), positions, size)
    method = method_id(issuer.did, public_of(issuer.private))
    return json.dumps(eddsa_rdfc.add_proof(unsigned, issuer.private, method, _stamp(now))).encode()


def _current_record(store: Store, programme: Programme, learner: str) -> dict[str, Any] | None:
    """The record as it is now; None while its history fails verification (its credentials are suspended)."""
    history = store.record_history(programme.id, learner)
    if verify_history(history) is not None:
        return None
    return compute_record(programme, learner, history).to_dict()


def _stamp(now: datetime) -> str:
    """ISO 8601 UTC to the second, with a Z: what xsd:dateTime and the JWT claims read alike."""
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
