"""A deadline ledger folds from its entries alone: in sequence order, each entry once, never edited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from grader.errors import BadInput
from grader.ledger import LedgerEntry, fold_ledger, make_entry

AT = datetime(2030, 3, 1, 12, tzinfo=UTC)


def entry(seq: int, kind: str, item: str | None = "hw1", **terms: Any) -> LedgerEntry:
    return make_entry(seq, kind, AT, "prof", "why", item, terms)


def test_an_empty_ledger_grants_nothing() -> None:
    state = fold_ledger([])
    assert state.days_left == 0 and state.shift("hw1", AT) == timedelta() and state.last_seq == 0


def test_a_replayed_entry_changes_nothing_and_order_is_by_sequence() -> None:
    entries = [entry(2, "late_days", days=2), entry(1, "policy", None, days=3)]
    once = fold_ledger(entries)
    assert once == fold_ledger([*entries, *entries]) == fold_ledger(reversed(entries))
    assert once.spent == {"hw1": 2} and once.days_left == 1 and once.last_seq == 2


def test_late_days_are_spent_once_per_assignment_and_only_within_the_budget() -> None:
    state = fold_ledger(
        [
            entry(1, "policy", None, days=3),
            entry(2, "late_days", days=1),
            entry(3, "late_days", days=2),  # hw1 again: spends nothing
            entry(4, "late_days", "hw2", days=3),  # more than the 2 left: spends nothing
            entry(5, "late_days", "hw3", days=2),
        ]
    )
    assert state.spent == {"hw1": 1, "hw3": 2} and state.days_left == 0


def test_the_largest_extension_counts_and_an_earlier_due_never_shortens() -> None:
    state = fold_ledger(
        [
            entry(1, "extension", extra_hours=24),
            entry(2, "extension", due=(AT + timedelta(hours=36)).isoformat()),
            entry(3, "extension", due=(AT - timedelta(days=5)).isoformat()),
            entry(4, "extension", "hw2", extra_hours=1),
        ]
    )
    assert state.shift("hw1", AT) == timedelta(hours=36)
    assert state.shift("hw2", AT) == timedelta(hours=1) and state.shift("hw9", AT) == timedelta()


def test_an_accommodation_scales_extensions_and_a_later_one_replaces_it() -> None:
    first = [entry(1, "extension", extra_hours=10), entry(2, "accommodation", None, multiplier=1.5)]
    state = fold_ledger(first)
    assert state.shift("hw1", AT) == timedelta(hours=15) and state.exam_multiplier == 1.5
    exams = fold_ledger([*first, entry(3, "accommodation", None, multiplier=2, applies_to=["exams"])])
    assert exams.extension_multiplier == 1.0 and exams.exam_multiplier == 2.0
    extensions = fold_ledger(
        [*first, entry(3, "accommodation", None, multiplier=2, applies_to=["extensions"])]
    )
    assert extensions.extension_multiplier == 2.0 and extensions.exam_multiplier == 1.0


def test_terms_read_back_make_the_same_entry() -> None:
    assert entry(
        1, "accommodation", None, multiplier=2, applies_to=["exams", "extensions", "exams"]
    ).applies_to == (
        "exams",
        "extensions",
    )
    for made in (
        entry(1, "extension", extra_hours=1.5),
        entry(2, "extension", due="2030-03-02T12:00:00+00:00"),
        entry(3, "accommodation", None, multiplier=1.25, applies_to=["exams", "extensions", "exams"]),
        entry(4, "late_days", days=2),
        entry(5, "policy", None, days=5),
    ):
        assert entry(made.seq, made.kind, made.assignment_id, **made.terms()) == made


@pytest.mark.parametrize(
    ("kind", "item", "terms", "message"),
    [
        ("bonus", "hw1", {}, "kind must be one of"),
        ("extension", None, {"extra_hours": 1}, "needs an assignment"),
        ("late_days", "", {"days": 1}, "needs an assignment"),
        ("extension", "hw1", {}, "either due"),
        ("extension", "hw1", {"extra_hours": 1, "due": "2030-03-02T12:00:00Z"}, "either due"),
        ("extension", "hw1", {"due": 5}, "ISO 8601"),
        ("extension", "hw1", {"extra_hours": True}, "extra_hours must be"),
        ("extension", "hw1", {"extra_hours": 0}, "extra_hours must be"),
        ("extension", "hw1", {"extra_hours": 24 * 365 + 1}, "extra_hours must be"),
        ("accommodation", None, {"multiplier": 0.5}, "multiplier must be"),
        ("accommodation", None, {"multiplier": 11}, "multiplier must be"),
        ("accommodation", None, {"multiplier": 2, "applies_to": []}, "applies_to must"),
        ("accommodation", None, {"multiplier": 2, "applies_to": ["homework"]}, "applies_to must"),
        ("accommodation", None, {"multiplier": 2, "applies_to": "exams"}, "applies_to must"),
        ("policy", None, {"days": -1}, "days must be"),
        ("policy", None, {"days": 366}, "days must be"),
        ("late_days", "hw1", {"days": 1.0}, "days must be"),
        ("policy", None, {"days": True}, "days must be"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(
    kind: str, item: str | None, terms: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadInput, match=message):
        make_entry(1, kind, AT, "prof", "why", item, terms)


def test_an_entry_of_an_unknown_kind_cannot_be_folded() -> None:
    with pytest.raises(ValueError, match="unknown ledger entry kind"):
        fold_ledger([LedgerEntry(1, "bonus", AT, "prof", "why")])
