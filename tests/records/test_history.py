"""The tamper-evident chain: an intact history verifies; any altered, removed or moved event does not."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from records.compute import compute_record
from records.history import GENESIS, canonical_json, chain, event_hash, hash_of, verify_history
from records.model import Event, event_from_dict, event_to_dict
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


def sample() -> tuple[Event, ...]:
    return history(
        grade("stats", "hw1", 8),
        exam("stats", 70),
        proctoring("stats", "verified"),
        grade("stats", "hw1", 9, version=2),
        override("ml", 75),
        freeze(),
    )


def test_an_intact_history_verifies() -> None:
    events = sample()
    assert verify_history(events) is None
    assert verify_history(()) is None
    assert events[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))


def test_one_altered_body_is_found_at_its_seq() -> None:
    events = list(sample())
    events[2] = replace(events[2], body={**events[2].body, "state": "rejected"})
    assert verify_history(events) == 3


def test_an_altered_event_with_a_recomputed_hash_breaks_the_next_link() -> None:
    events = list(sample())
    forged = replace(events[1], body={**events[1].body, "score": 100})
    events[1] = replace(forged, hash=hash_of(forged, forged.prev_hash))
    assert verify_history(events) == 3


def test_rewriting_the_whole_chain_changes_the_head_the_record_was_bound_to() -> None:
    events = sample()
    record = compute_record(make_programme(), LEARNER, events)
    rewritten = chain([replace(events[1], body={**events[1].body, "score": 100}), *events[2:]])
    rewritten = chain([events[0], *rewritten])
    assert verify_history(rewritten) is None  # a consistent forgery of the whole chain...
    assert rewritten[-1].hash != record.history_hash  # ...is caught by the head a record or signature holds


def test_a_removed_event_is_found() -> None:
    events = list(sample())
    del events[2]
    assert verify_history(events) == 4
    assert verify_history(sample()[1:]) == 2  # the first event too


def test_a_reordered_pair_is_found_even_when_renumbered() -> None:
    events = list(sample())
    events[2], events[3] = events[3], events[2]
    assert verify_history(events) == 4
    renumbered = [replace(event, seq=i) for i, event in enumerate(events, start=1)]
    assert verify_history(renumbered) == 3


@pytest.mark.parametrize("field", ["kind", "learner", "at", "actor", "prev_hash"])
def test_every_hashed_field_is_covered(field: str) -> None:
    events = list(sample())
    events[4] = replace(events[4], **{field: "x" * 64})
    assert verify_history(events) == 5


@given(
    position=st.integers(0, 5),
    key=st.sampled_from(["score", "version", "reason", "course", "é"]),
    value=st.one_of(st.integers(), st.text(), st.booleans(), st.none()),
)
def test_any_change_to_any_stored_body_is_found(position: int, key: str, value: object) -> None:
    events = list(sample())
    body = dict(events[position].body)
    if body.get(key, object()) == value and type(body.get(key)) is type(value):
        body[key] = [value]  # make sure it is a change
    else:
        body[key] = value
    events[position] = replace(events[position], body=body)
    assert verify_history(events) == position + 1


def test_the_hash_is_sha256_of_canonical_json_including_the_predecessor() -> None:
    body = {"b": 1, "a": "é"}
    expected = hashlib.sha256(
        '{"actor":"w","at":"t","body":{"a":"é","b":1},"kind":"grade","learner":"ada","prev_hash":"p","seq":1}'.encode()
    ).hexdigest()
    assert event_hash("p", 1, "grade", "ada", body, "t", "w") == expected
    assert event_hash("q", 1, "grade", "ada", body, "t", "w") != expected


def test_canonical_json_is_one_byte_string_per_value_and_refuses_nan() -> None:
    assert (
        canonical_json({"z": [1, 2.5], "a": {"y": None, "x": "ü"}})
        == '{"a":{"x":"ü","y":null},"z":[1,2.5]}'.encode()
    )
    with pytest.raises(ValueError):
        canonical_json({"score": float("nan")})


def test_an_event_survives_its_json_form_and_still_verifies() -> None:
    events = tuple(event_from_dict(event_to_dict(event)) for event in sample())
    assert events == sample()
    assert verify_history(events) is None
