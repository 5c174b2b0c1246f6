"""When to try a failed result delivery again: exponential backoff with jitter, then give up.

The n-th retry waits ``min(cap, base * 2**(n-1))`` halved plus a random share of the other
half ("equal jitter"): the wait still grows, and many deliveries that failed together (a
platform that was down) do not all come back in the same second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 30.0
    cap: float = 3600.0
    max_attempts: int = 12

    def delay(self, attempts: int, rng: random.Random | None = None) -> float | None:
        """Seconds to wait after ``attempts`` failed attempts; None once the budget is spent."""
        if attempts >= self.max_attempts:
            return None
        ceiling = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)

    def budget(self) -> float:
        """The longest a delivery can stay undelivered before it is dead-lettered."""
        return sum(min(self.cap, self.base * 2 ** max(0, n - 1)) for n in range(1, self.max_attempts))
