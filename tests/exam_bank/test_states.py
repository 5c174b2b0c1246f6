"""The attempt state machine: every legal move, every illegal pair, and what counts for credit."""

from __future__ import annotations

import pytest

from exam_bank.states import EVENTS, STATES, TRANSITIONS, allowed_events, counts_for_credit, transition
from grader.errors import Conflict, IllegalTransition

LEGAL = [(state, event, target) for event, moves in TRANSITIONS.items() for state, target in moves.items()]
ILLEGAL = [(state, event) for state in STATES for event in EVENTS if state not in TRANSITIONS[event]]
EXPECTED_TABLE = {
    ("created", "start"): "started",
    ("started", "submit"): "submitted",
    ("started", "auto_submit"): "submitted",
    ("started", "fail"): "error",
    ("error", "resume"): "started",
    ("submitted", "grade"): "graded",
    ("graded", "review_clean"): "verified",
    ("graded", "review_suspicious"): "second_review",
    ("graded", "review_violation"): "second_review",
    ("graded", "verify"): "verified",
    ("second_review", "verify"): "verified",
    ("graded", "reject"): "rejected",
    ("second_review", "reject"): "rejected",
    ("verified", "reopen"): "second_review",
    ("rejected", "reopen"): "second_review",
}


def test_the_table_is_exactly_the_documented_one() -> None:
    assert {(state, event): target for state, event, target in LEGAL} == EXPECTED_TABLE
    assert len(LEGAL) + len(ILLEGAL) == len(STATES) * len(EVENTS) == 8 * 12


@pytest.mark.parametrize(("state", "event", "target"), LEGAL)
def test_every_legal_transition(state: str, event: str, target: str) -> None:
    assert transition(state, event) == target


@pytest.mark.parametrize(("state", "event"), ILLEGAL)
def test_every_illegal_pair_is_refused_saying_what_is_allowed(state: str, event: str) -> None:
    with pytest.raises(IllegalTransition, match=rf"\(allowed from {state}: [a-z_, ]+\)$") as caught:
        transition(state, event)
    assert isinstance(caught.value, Conflict) and caught.value.code == "illegal_transition"


def test_the_message_reads_as_a_sentence() -> None:
    with pytest.raises(
        IllegalTransition,
        match=r"^an attempt that is submitted cannot be started \(allowed from submitted: grade\)$",
    ):
        transition("submitted", "start")
    with pytest.raises(
        IllegalTransition,
        match=r"^an attempt that is in second review cannot be graded \(allowed from second_review: verify, reject\)$",
    ):
        transition("second_review", "grade")


def test_a_provider_review_alone_never_rejects() -> None:
    for event in ("review_clean", "review_suspicious", "review_violation"):
        assert "rejected" not in TRANSITIONS[event].values()


def test_every_state_is_reachable_from_created_and_can_move_on() -> None:
    reached, frontier = {"created"}, ["created"]
    while frontier:
        state = frontier.pop()
        for event in allowed_events(state):
            target = transition(state, event)
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(STATES)
    assert all(allowed_events(state) for state in STATES)


def test_an_interrupted_attempt_can_be_resumed_reviewed_and_reconsidered() -> None:
    state = "created"
    events = "start fail resume auto_submit grade review_violation reject reopen verify"
    for event in events.split():
        state = transition(state, event)
    assert state == "verified"


@pytest.mark.parametrize(
    ("state", "proctored", "unproctored"),
    [
        ("created", False, False),
        ("started", False, False),
        ("submitted", False, False),
        ("graded", False, True),
        ("verified", True, True),
        ("rejected", False, False),
        ("second_review", False, False),
        ("error", False, False),
    ],
)
def test_only_a_verified_attempt_counts_on_a_proctored_exam(
    state: str, proctored: bool, unproctored: bool
) -> None:
    assert counts_for_credit(state, requires_proctoring=True) is proctored
    assert counts_for_credit(state, requires_proctoring=False) is unproctored


@pytest.mark.parametrize(("state", "event"), [("finished", "start"), ("created", "begin")])
def test_unknown_names_are_caller_bugs(state: str, event: str) -> None:
    with pytest.raises(ValueError, match="unknown attempt"):
        transition(state, event)
    with pytest.raises(ValueError, match="unknown attempt state"):
        counts_for_credit("finished", True)


def test_the_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS["start"]["graded"] = "started"  # type: ignore[index]
