"""How many cases a property test tries: its full count in the whole suite, a fifth in the fast loop.

``scripts/check`` sets ``AUTOGRADE_TEST_QUICK_PROPERTIES=1``: the loop a developer runs after each
change still runs every property, on fewer generated cases (tests without a count of their own
get the "quick" Hypothesis profile, registered in tests/conftest.py). ``scripts/test.sh``, and so
CI, runs each at its full count.
"""

from __future__ import annotations

import os

QUICK = os.environ.get("AUTOGRADE_TEST_QUICK_PROPERTIES") == "1"
QUICK_DEFAULT = 20  # Hypothesis's own default is 100
FLOOR = 10


def examples(full: int) -> int:
    return max(FLOOR, full // 5) if QUICK else full
