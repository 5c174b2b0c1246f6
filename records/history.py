"""The tamper-evident history: each event's hash covers its content and its predecessor's hash.

Changing, removing or reordering any stored event breaks every link after it, so an
auditor holding only the last hash (``Record.history_hash``) can tell whether the history
they were given is the one the record was computed from. Hashes are SHA-256 over canonical
JSON, which ``records/signing.py`` shares, so that any language can recompute them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from records.model import Event

GENESIS = "0" * 64  # the predecessor of the first event


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8; NaN is refused, not written."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def event_hash(
    prev_hash: str, seq: int, kind: str, learner: str, body: dict[str, Any], at: str, actor: str
) -> str:
    content = {
        "prev_hash": prev_hash,
        "seq": seq,
        "kind": kind,
        "learner": learner,
        "body": body,
        "at": at,
        "actor": actor,
    }
    return hashlib.sha256(canonical_json(content)).hexdigest()


def hash_of(event: Event, prev_hash: str) -> str:
    return event_hash(prev_hash, event.seq, event.kind, event.learner, event.body, event.at, event.actor)


def chain(events: Iterable[Event]) -> tuple[Event, ...]:
    """The events in the given order, each linked to the one before (``seq`` kept as given)."""
    linked: list[Event] = []
    prev = GENESIS
    for event in events:
        current = hash_of(event, prev)
        linked.append(replace(event, prev_hash=prev, hash=current))
        prev = current
    return tuple(linked)


def verify_history(events: Sequence[Event]) -> int | None:
    """The seq of the first event whose link, hash or numbering is wrong; None if intact.

    Seqs must run 1, 2, ... so that a removed first event is caught too. Dropping events
    from the end leaves an intact shorter chain: compare the last hash with the one a
    record or signature holds to catch that.
    """
    prev = GENESIS
    for position, event in enumerate(events, start=1):
        if event.seq != position or event.prev_hash != prev or event.hash != hash_of(event, prev):
            return event.seq
        prev = event.hash
    return None


def head(events: Sequence[Event]) -> str:
    """The hash a record of these events is bound to."""
    return events[-1].hash if events else GENESIS
