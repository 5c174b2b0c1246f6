"""Which libraries the sandbox guards: those the instructor's source mentions, before any cell."""

from __future__ import annotations

from collections.abc import Sequence

from grader.assignment import build_assignment
from grader.execution import Budget
from grader.guards import libraries_to_guard
from grader.judging import JUDGED, Judging
from grader.pipeline import grade, match_submission
from tests.builders import FakeSession, make_answer_cell, make_notebook, make_test_cell, to_bytes


def test_a_library_is_guarded_when_any_code_cell_of_the_source_mentions_it() -> None:
    uses_numpy = make_notebook(
        make_test_cell("t", "import numpy.testing as npt\nnpt.assert_allclose(f(), 1.0)")
    )
    uses_pandas = make_notebook(make_answer_cell("a", "import pandas as pd\ndf = pd.DataFrame()"))
    assert libraries_to_guard([uses_numpy]) == ("numpy", "numpy.testing")
    assert libraries_to_guard([uses_numpy, uses_pandas]) == (
        "numpy",
        "numpy.testing",
        "pandas",
        "pandas.testing",
    )


def test_plain_python_and_look_alike_names_guard_nothing_extra() -> None:
    plain = make_notebook(make_test_cell("t", "assert numpyish == 1  # pandas_like\nimport math"))
    assert libraries_to_guard([plain]) == ()


class OrderedSession(FakeSession):
    def guard(self, modules: Sequence[str], judging: Judging = JUDGED) -> None:
        assert not self.calls and not self.files, "the guard must come before anything else"
        super().guard(modules, judging)


def test_the_pipeline_guards_before_files_and_cells() -> None:
    source = make_notebook(
        make_answer_cell("square", "import numpy as np\ndef square(x):\n    return np.square(x)"),
        make_test_cell("test", "assert square(3) == 9"),
    )
    assignment = build_assignment({"hw.ipynb": to_bytes(source)})
    session = OrderedSession()
    learner = match_submission(assignment, {"hw.ipynb": to_bytes(source)})
    grade("hw", assignment, learner, session, Budget(5, 60), lambda: 0.0)
    assert session.guarded == [("numpy", "numpy.testing")]
    assert session.calls, "the cells ran after the guard"
