"""The exam clock: deadlines with accommodations, extensions and the window, grace, resuming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exam_bank.clock import Receipt, deadline, judge_receipt, remaining, resume_deadline

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CLOSES = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
NONE = timedelta(0)
MICROSECOND = timedelta(microseconds=1)


def test_the_deadline_is_start_plus_the_time_limit() -> None:
    assert deadline(START, HOUR, 1.0, NONE, CLOSES) == START + HOUR


@pytest.mark.parametrize(("accommodation", "minutes"), [(1.25, 75), (1.5, 90), (2, 120)])
def test_an_accommodation_multiplies_the_time_limit(accommodation: float, minutes: int) -> None:
    assert deadline(START, HOUR, accommodation, NONE, CLOSES) == START + timedelta(minutes=minutes)


def test_an_extension_is_added_after_the_accommodation() -> None:
    assert deadline(START, HOUR, 1.5, timedelta(minutes=10), CLOSES) == START + timedelta(minutes=100)


def test_the_window_caps_a_late_start_and_its_accommodation() -> None:
    late_start = CLOSES - timedelta(minutes=30)
    assert deadline(late_start, HOUR, 2, timedelta(minutes=15), CLOSES) == CLOSES


def test_moments_in_other_zones_are_the_same_instants() -> None:
    paris = timezone(timedelta(hours=1))
    assert deadline(START.astimezone(paris), HOUR, 1, NONE, CLOSES) == START + HOUR


@pytest.mark.parametrize(
    ("limit", "accommodation", "extension", "message"),
    [
        (NONE, 1.0, NONE, "time_limit must be positive"),
        (HOUR, 0.0, NONE, "accommodation must be a positive multiplier"),
        (HOUR, -1.5, NONE, "accommodation must be a positive multiplier"),
        (HOUR, float("nan"), NONE, "accommodation must be a positive multiplier"),
        (HOUR, 1.0, -MICROSECOND, "an extension adds time"),
    ],
)
def test_nonsense_deadlines_are_refused(
    limit: timedelta, accommodation: float, extension: timedelta, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        deadline(START, limit, accommodation, extension, CLOSES)


def test_a_shorter_sitting_is_allowed_by_a_multiplier_below_one() -> None:
    assert deadline(START, HOUR, 0.5, NONE, CLOSES) == START + timedelta(minutes=30)


GRACE = timedelta(seconds=60)
DUE = START + HOUR


def test_work_received_at_the_very_end_of_the_grace_is_on_time() -> None:
    assert judge_receipt(DUE + GRACE, DUE, GRACE) == Receipt(on_time=True, late_by=GRACE)


def test_work_received_one_microsecond_after_the_grace_is_late() -> None:
    assert judge_receipt(DUE + GRACE + MICROSECOND, DUE, GRACE) == Receipt(
        on_time=False, late_by=GRACE + MICROSECOND
    )


def test_work_before_the_deadline_is_not_late_at_all() -> None:
    assert judge_receipt(DUE - HOUR, DUE, GRACE) == Receipt(on_time=True, late_by=NONE)
    assert judge_receipt(DUE, DUE, NONE) == Receipt(on_time=True, late_by=NONE)
    assert judge_receipt(DUE + MICROSECOND, DUE, NONE).on_time is False


def test_a_negative_grace_is_refused() -> None:
    with pytest.raises(ValueError, match="grace cannot be negative"):
        judge_receipt(DUE, DUE, -GRACE)


def test_the_time_remaining_counts_down_and_stops_at_zero() -> None:
    assert remaining(START, DUE) == HOUR
    assert remaining(DUE, DUE) == NONE
    assert remaining(DUE + HOUR, DUE) == NONE


def test_an_interrupted_attempt_resumes_with_the_time_it_had_left() -> None:
    failed_at = START + timedelta(minutes=20)
    left = remaining(failed_at, DUE)
    resumed_at = failed_at + timedelta(minutes=45)  # the learner's laptop was down meanwhile
    assert resume_deadline(resumed_at, left, CLOSES) == resumed_at + timedelta(minutes=40)


def test_a_resumed_attempt_still_ends_with_the_window() -> None:
    assert resume_deadline(CLOSES - timedelta(minutes=5), timedelta(minutes=40), CLOSES) == CLOSES
    with pytest.raises(ValueError, match="remaining time cannot be negative"):
        resume_deadline(START, -MICROSECOND, CLOSES)


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: deadline(naive, HOUR, 1, NONE, CLOSES),
        lambda naive: deadline(START, HOUR, 1, NONE, naive),
        lambda naive: judge_receipt(naive, DUE, GRACE),
        lambda naive: judge_receipt(DUE, naive, GRACE),
        lambda naive: remaining(naive, DUE),
        lambda naive: remaining(START, naive),
        lambda naive: resume_deadline(naive, HOUR, CLOSES),
        lambda naive: resume_deadline(START, HOUR, naive),
    ],
)
def test_a_naive_datetime_is_refused_anywhere(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="must be timezone-aware"):
        call(datetime(2026, 3, 2, 10, 0))


@given(
    offset=st.timedeltas(min_value=NONE, max_value=timedelta(hours=12)),
    minutes=st.integers(min_value=1, max_value=600),
    accommodation=st.floats(min_value=1.0, max_value=3.0),
    extension=st.timedeltas(min_value=NONE, max_value=timedelta(hours=3)),
)
def test_a_deadline_never_passes_the_window_nor_falls_short_of_the_time_limit(
    offset: timedelta, minutes: int, accommodation: float, extension: timedelta
) -> None:
    started = START + offset
    limit = timedelta(minutes=minutes)
    due = deadline(started, limit, accommodation, extension, CLOSES)
    assert due <= CLOSES
    assert due >= min(started + limit, CLOSES)
    assert remaining(started, due) <= limit * accommodation + extension + MICROSECOND
