"""Properties of the deadline ledger over any entries and any receipt time (the clock is drawn).

Ledgers are drawn from a small world (two assignments, a budget of up to three late days,
extensions either way of the deadline) so that entries collide often: two extensions of one
assignment, two spends on it, a spend beyond the budget, an accommodation replaced.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.deadline import effective_due, judge
from grader.late import LatePolicy, LateStep
from grader.ledger import LedgerEntry, fold_ledger
from grader.ledger_change import ledgers_of
from tests.properties import examples

DUE = datetime(2030, 3, 1, 12, tzinfo=UTC)
ITEMS = ("hw1", "hw2")
POLICIES = st.sampled_from(
    [
        LatePolicy(),
        LatePolicy(DUE),
        LatePolicy(DUE, (LateStep(DUE, 80.0), LateStep(DUE + timedelta(days=2), 0.0))),
        LatePolicy(DUE, (LateStep(DUE + timedelta(hours=5), 50.0),)),
    ]
)
OFFSETS = st.integers(-3 * 24 * 60, 8 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes))
RECEIPTS = OFFSETS.map(lambda offset: DUE + offset)  # the injected clock: any moment around the deadline


def entry(kind: str, **fields: object) -> LedgerEntry:
    return LedgerEntry(0, kind, DUE, "prof", "drawn", **fields)  # type: ignore[arg-type]


ENTRIES = st.one_of(
    st.builds(lambda i, o: entry("extension", assignment_id=i, due=DUE + o), st.sampled_from(ITEMS), OFFSETS),
    st.builds(
        lambda i, h: entry("extension", assignment_id=i, extra=timedelta(hours=h)),
        st.sampled_from(ITEMS),
        st.integers(1, 96),
    ),
    st.builds(
        lambda i, d: entry("late_days", assignment_id=i, days=d), st.sampled_from(ITEMS), st.integers(1, 3)
    ),
    st.builds(
        lambda m, a: entry("accommodation", multiplier=m, applies_to=a),
        st.sampled_from([1.0, 1.5, 2.0]),
        st.sampled_from([("extensions",), ("exams",), ("exams", "extensions")]),
    ),
    st.builds(lambda d: entry("policy", days=d), st.integers(0, 3)),
)
BUDGETS = st.builds(lambda d: entry("policy", days=d), st.integers(0, 3))
LEDGERS = st.builds(lambda budget, rest: [budget, *rest], BUDGETS, st.lists(ENTRIES, max_size=8)).map(
    lambda entries: [replace(e, seq=seq) for seq, e in enumerate(entries, 1)]
)
SPEND = st.booleans()


@settings(max_examples=examples(500))
@given(LEDGERS, POLICIES, st.sampled_from(ITEMS), RECEIPTS, OFFSETS.map(abs), SPEND)
def test_credit_never_rises_with_a_later_receipt(entries, policy, item, received, delay, spend) -> None:  # type: ignore[no-untyped-def]
    ledger = fold_ledger(entries)
    sooner = judge(ledger, item, policy, received, may_spend=spend)
    later = judge(ledger, item, policy, received + delay, may_spend=spend)
    assert later.credit <= sooner.credit
    assert sooner.on_time or not later.on_time


@settings(max_examples=examples(500))
@given(LEDGERS, POLICIES, st.sampled_from(ITEMS), RECEIPTS, OFFSETS, SPEND)
def test_an_extension_never_lowers_credit(entries, policy, item, received, moved, spend) -> None:  # type: ignore[no-untyped-def]
    extension = LedgerEntry(len(entries) + 1, "extension", DUE, "prof", "ill", item, due=DUE + moved)
    before = judge(fold_ledger(entries), item, policy, received, may_spend=spend)
    after = judge(fold_ledger([*entries, extension]), item, policy, received, may_spend=spend)
    assert after.credit >= before.credit
    assert after.on_time or not before.on_time
    old_due, new_due = (
        effective_due(fold_ledger(entries), item, policy),
        effective_due(fold_ledger([*entries, extension]), item, policy),
    )
    assert old_due is None or (new_due is not None and new_due >= old_due)


@given(LEDGERS, st.randoms(use_true_random=False))
def test_replaying_the_ledger_in_any_order_changes_nothing(entries, rng) -> None:  # type: ignore[no-untyped-def]
    replayed = [*entries, *entries]
    rng.shuffle(replayed)
    assert fold_ledger(replayed) == fold_ledger(entries)
    assert fold_ledger([*fold_ledger(entries).grants.get("hw1", ()), *entries]) == fold_ledger(entries)


@given(st.sampled_from(ITEMS), st.integers(1, 3), st.lists(ENTRIES, max_size=8), st.integers(1, 3))
def test_a_late_day_token_is_spent_at_most_once_per_item(item, first, between, again) -> None:  # type: ignore[no-untyped-def]
    entries = [
        entry("policy", days=3),
        entry("late_days", assignment_id=item, days=first),
        *between,
        entry("late_days", assignment_id=item, days=again),
    ]
    ledger = fold_ledger([replace(e, seq=seq) for seq, e in enumerate(entries, 1)])
    assert ledger.spent[item] == first
    assert sum(ledger.spent.values()) <= max(e.days for e in entries if e.kind == "policy")


@given(LEDGERS, POLICIES, st.sampled_from(ITEMS), RECEIPTS)
def test_a_spend_at_receipt_makes_the_same_verdict_once_recorded(entries, policy, item, received) -> None:  # type: ignore[no-untyped-def]
    """What the learner was told before uploading is what the stored submission is judged at later."""
    ledger = fold_ledger(entries)
    told = judge(ledger, item, policy, received, may_spend=True)
    if told.spend:
        spent = LedgerEntry(len(entries) + 1, "late_days", received, "system", "late", item, days=told.spend)
        ledger = fold_ledger([*entries, spent])
    later = judge(ledger, item, policy, received)
    assert (later.on_time, later.credit) == (told.on_time, told.credit)


OWNERS = st.sampled_from(["alice", "bob", "*"])


@given(st.lists(st.tuples(OWNERS, ENTRIES), max_size=10))
def test_each_learners_ledger_is_their_entries_and_the_course_wide_ones(owned) -> None:  # type: ignore[no-untyped-def]
    entries = [(owner, replace(e, seq=seq)) for seq, (owner, e) in enumerate(owned, 1)]
    ledgers = ledgers_of(entries, ["alice", "bob", "carol", "*"])
    for learner in ("alice", "bob", "carol"):
        assert ledgers[learner] == fold_ledger(e for owner, e in entries if owner in (learner, "*"))
    assert ledgers["*"] == fold_ledger(e for owner, e in entries if owner == "*")
