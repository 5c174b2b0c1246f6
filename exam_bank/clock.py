"""The exam clock: an attempt's deadline, whether a submission beat it, and the time left.

The server's clock is the only clock, and it is read by the caller: every moment here is an
argument, so the rules can be tested at the exact microsecond. Every moment must be
timezone-aware; a naive one is a ``ValueError`` rather than a guess about which zone it
meant, because a guess wrong by an hour decides whether an exam counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

ZERO = timedelta(0)


@dataclass(frozen=True)
class Receipt:
    """``late_by`` is how long after the deadline the work arrived (zero if before it), so an
    audit can see the grace that was used even when the work counts as on time."""

    on_time: bool
    late_by: timedelta


def deadline(
    started_at: datetime,
    time_limit: timedelta,
    accommodation: float,
    extension: timedelta,
    window_closes: datetime,
) -> datetime:
    """``min(started_at + time_limit * accommodation + extension, window_closes)``.

    ``accommodation`` multiplies the time limit (1.25, 1.5 and 2 are usual; 1 for none). Any
    positive multiplier is accepted, as some programmes shorten a sitting for a practice
    exam; a multiplier of 0 or below, or an extension that takes time away, is a caller bug.
    """
    _require_aware(started_at=started_at, window_closes=window_closes)
    if time_limit <= ZERO:
        raise ValueError(f"time_limit must be positive, not {time_limit}")
    if not math.isfinite(accommodation) or accommodation <= 0:
        raise ValueError(f"accommodation must be a positive multiplier, not {accommodation}")
    if extension < ZERO:
        raise ValueError(f"an extension adds time; {extension} would take it away")
    return min(started_at + time_limit * accommodation + extension, window_closes)


def judge_receipt(received_at: datetime, deadline: datetime, grace: timedelta) -> Receipt:
    """On time iff received by ``deadline + grace``: the grace covers the network, not work."""
    _require_aware(received_at=received_at, deadline=deadline)
    if grace < ZERO:
        raise ValueError(f"grace cannot be negative, not {grace}")
    return Receipt(on_time=received_at <= deadline + grace, late_by=max(received_at - deadline, ZERO))


def remaining(now: datetime, deadline: datetime) -> timedelta:
    """Time left before the deadline; zero, never negative, once it has passed."""
    _require_aware(now=now, deadline=deadline)
    return max(deadline - now, ZERO)


def resume_deadline(now: datetime, remaining: timedelta, window_closes: datetime) -> datetime:
    """The new deadline of an interrupted attempt resumed at ``now`` with the time it had left."""
    _require_aware(now=now, window_closes=window_closes)
    if remaining < ZERO:
        raise ValueError(f"remaining time cannot be negative, not {remaining}")
    return min(now + remaining, window_closes)


def _require_aware(**moments: datetime) -> None:
    for name, moment in moments.items():
        if moment.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware, not naive ({moment.isoformat()})")
