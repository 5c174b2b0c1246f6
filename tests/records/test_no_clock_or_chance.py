"""records/ reads no clock and no source of chance, so a record recomputed years later is the same.

"Now" for the freeze is the latest ``at`` in the history, never the wall clock; the scanner
is exam_bank's, which tests that it catches what it is for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.exam_bank.test_no_clock_or_chance import offences

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted((ROOT / "records").glob("*.py"))


def test_every_records_module_is_scanned() -> None:
    assert {"compute.py", "counting.py", "grading.py", "history.py", "programme.py"} <= {
        m.name for m in MODULES
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_records_read_no_clock_and_no_chance(module: Path) -> None:
    assert offences(module.read_text()) == []
