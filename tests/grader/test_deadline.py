"""A learner's deadline under their ledger: extensions, late days, accommodations, and what they are told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from grader.deadline import judge
from grader.errors import BadInput
from grader.late import LatePolicy, LateStep
from grader.ledger import fold_ledger, make_entry

DUE = datetime(2030, 3, 1, 12, tzinfo=UTC)
POLICY = LatePolicy(DUE, (LateStep(DUE, 80.0), LateStep(DUE + timedelta(days=2), 0.0)))


def ledger(*entries: tuple[str, str | None, dict[str, Any]]):  # type: ignore[no-untyped-def]
    return fold_ledger(
        make_entry(seq, kind, DUE, "prof", "why", item, terms)
        for seq, (kind, item, terms) in enumerate(entries, 1)
    )


def test_without_a_ledger_the_assignment_policy_decides() -> None:
    assert judge(ledger(), "hw1", POLICY, DUE).statement == "on time"
    assert judge(ledger(), "hw1", POLICY, DUE + timedelta(hours=1)).statement == "80% credit"
    assert judge(ledger(), "hw1", POLICY, DUE + timedelta(days=3)).statement == "no credit (0%)"


def test_an_extension_moves_the_deadline_and_every_late_step_for_that_assignment_only() -> None:
    state = ledger(("extension", "hw1", {"extra_hours": 48}))
    assert (
        judge(state, "hw1", POLICY, DUE + timedelta(hours=47)).to_dict()["due"] == "2030-03-03T12:00:00+00:00"
    )
    assert judge(state, "hw1", POLICY, DUE + timedelta(hours=49)).credit == 0.8
    assert judge(state, "hw2", POLICY, DUE + timedelta(hours=1)).credit == 0.8


def test_an_accommodation_scales_extensions() -> None:
    state = ledger(
        ("accommodation", None, {"multiplier": 1.5, "applies_to": ["extensions"]}),
        ("extension", "hw1", {"extra_hours": 24}),
    )
    assert judge(state, "hw1", POLICY, DUE + timedelta(hours=35)).on_time
    assert state.exam_multiplier == 1.0


def test_late_days_cover_whole_days_at_receipt_once_per_assignment() -> None:
    state = ledger(("policy", None, {"days": 2}))
    told = judge(state, "hw1", POLICY, DUE + timedelta(hours=25), may_spend=True)
    assert (told.statement, told.on_time, told.credit, told.spend) == ("uses 2 late days", True, 1.0, 2)
    assert (
        judge(state, "hw1", POLICY, DUE + timedelta(hours=49), may_spend=True).statement == "no credit (0%)"
    )
    spent = ledger(
        ("policy", None, {"days": 2}), ("late_days", "hw1", {"days": 1}), ("late_days", "hw1", {"days": 1})
    )
    assert spent.spent == {"hw1": 1} and spent.days_left == 1
    assert judge(spent, "hw1", POLICY, DUE + timedelta(hours=25), may_spend=True).statement == "80% credit"


@pytest.mark.parametrize(
    ("kind", "item", "terms", "words"),
    [
        ("extension", "hw1", {}, "either due"),
        ("extension", "hw1", {"due": "2030-03-02T00:00:00Z", "extra_hours": 3}, "not both"),
        ("extension", "hw1", {"extra_hours": -1}, "extra_hours"),
        ("extension", "hw1", {"due": "tomorrow"}, "ISO 8601"),
        ("extension", None, {"extra_hours": 3}, "needs an assignment"),
        ("accommodation", None, {"multiplier": 0.5}, "multiplier"),
        ("accommodation", None, {"multiplier": 1.5, "applies_to": ["naps"]}, "applies_to"),
        ("policy", None, {"days": "3"}, "whole number"),
        ("refund", None, {}, "kind must be"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(
    kind: str, item: str | None, terms: dict[str, Any], words: str
) -> None:
    with pytest.raises(BadInput, match=words):
        make_entry(1, kind, DUE, "prof", "why", item, terms)
