"""Fair grading after crashes: a dead kernel costs the cell that killed it, nothing more."""

from __future__ import annotations

import pytest

from tests.builders import make_test_cell
from tests.security.conftest import RIGHT, Grader
from tests.security.test_containment import as_learner_function

pytestmark = [pytest.mark.docker, pytest.mark.slow]
CRASHES = {
    "os_exit": "import os\nos._exit(3)",
    "self_kill": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
    "out_of_memory": "blocks = []\nwhile True:\n    blocks.append(bytearray(64 * 1024 * 1024))",
}


@pytest.mark.parametrize("crash", sorted(CRASHES))
def test_cells_before_and_after_a_crash_keep_their_scores(grader: Grader, crash: str) -> None:
    outcome = grader.grade_square(
        as_learner_function(CRASHES[crash]),
        make_test_cell("crash", "abuse()", points=1),
        make_test_cell("after", "assert square(5) == 25", points=1),
    )
    assert outcome.scores == {"visible": 1.0, "hidden": 2.0, "crash": 0.0, "after": 1.0}, (
        outcome.report.to_dict()
    )
    assert outcome.cell("crash").status == "error"
    assert any("that cell was skipped" in event for event in outcome.report.events)


def test_out_of_memory_is_explained_in_words(grader: Grader) -> None:
    outcome = grader.grade_square(
        as_learner_function(CRASHES["out_of_memory"]), make_test_cell("crash", "abuse()", points=1)
    )
    assert "memory limit of 512 MiB" in outcome.cell("crash").message


def test_crash_in_the_learners_own_answer_skips_only_that_cell(grader: Grader) -> None:
    outcome = grader.grade_square(f"{RIGHT}\nimport os\nos._exit(1)")
    # the answer cell itself crashed, so square was never defined: honest zeros, not a lost grade
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0}
    assert outcome.cell("visible").status == "error"
