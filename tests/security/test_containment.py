"""Containment: resource abuse ends that one cell with a clear status; the host carries on."""

from __future__ import annotations

import pytest

from tests.builders import make_test_cell
from tests.security.conftest import RIGHT, Grader

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def as_learner_function(code: str) -> str:
    """``code`` as the body of a learner function ``abuse``, defined in the answer cell."""
    body = "\n".join(f"    {line}" for line in code.splitlines())
    return f"{RIGHT}\n\ndef abuse():\n{body}\n"


def abuse(grader: Grader, code: str) -> dict[str, tuple[float | None, str]]:
    """A test calls the learner's ``abuse()``, which runs ``code`` in the learner's process."""
    outcome = grader.grade_square(as_learner_function(code), make_test_cell("abuse", "abuse()", points=1))
    return {c.grade_id: (c.score, c.status) for c in outcome.report.cells}


def assert_others_graded(cells: dict[str, tuple[float | None, str]]) -> None:
    assert cells["visible"] == (1.0, "passed") and cells["hidden"] == (2.0, "passed")


def test_infinite_loop_times_out(grader: Grader) -> None:
    cells = abuse(grader, "while True:\n    pass")
    assert cells["abuse"] == (0.0, "timeout")
    assert_others_graded(cells)


def test_loop_that_ignores_interrupts_is_stopped(grader: Grader) -> None:
    cells = abuse(
        grader, "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    )
    assert cells["abuse"] == (0.0, "timeout")
    assert_others_graded(cells)


def test_fork_bomb_hits_the_process_limit(grader: Grader) -> None:
    cells = abuse(
        grader,
        "import os\nfor _ in range(1000):\n    if os.fork() == 0:\n        import time; time.sleep(60)",
    )
    assert cells["abuse"][0] == 0.0
    assert_others_graded(cells)


def test_memory_bomb_is_killed(grader: Grader) -> None:
    cells = abuse(grader, "blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))")
    assert cells["abuse"][0] == 0.0
    assert_others_graded(cells)


def test_disk_fill_stops_at_the_scratch_cap(grader: Grader) -> None:
    cells = abuse(
        grader, "with open('fill', 'wb') as f:\n    while True:\n        f.write(b'x' * 1024 * 1024)"
    )
    assert cells["abuse"] == (0.0, "error")
    assert_others_graded(cells)


def test_output_flood_is_capped_while_reading(grader: Grader) -> None:
    flood = as_learner_function("for _ in range(200000):\n    print('x' * 1000)")
    outcome = grader.grade_square(flood, make_test_cell("abuse", "abuse()", points=1))
    cells = {c.grade_id: c for c in outcome.report.cells}
    assert cells["hidden"].score == 2.0
    assert len(outcome.feedback) < 3 * 1024 * 1024
    assert "cut at the size limit" in outcome.feedback


def test_an_instructors_own_endless_test_times_out_in_the_judge(grader: Grader) -> None:
    """Not the learner's doing, but the judge must not hang on it either."""
    outcome = grader.grade_square(RIGHT, make_test_cell("endless", "while True:\n    pass", points=1))
    cells = {c.grade_id: (c.score, c.status) for c in outcome.report.cells}
    assert cells["endless"] == (0.0, "timeout")
    assert_others_graded(cells)


def test_open_files_are_capped(grader: Grader) -> None:
    cells = abuse(grader, "handles = [open('/dev/null') for _ in range(100000)]")
    assert cells["abuse"] == (0.0, "error")
    assert_others_graded(cells)
