"""Honest work keeps full marks: numpy, pandas, warnings, generators, recursion, threads, partial credit."""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

from tests.builders import make_test_cell
from tests.security.conftest import RIGHT, WRONG, Grader

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def instructor_cell(grade_id: str, source: str) -> Any:
    """A locked, ungraded cell of the instructor's (not a test, not an answer)."""
    meta = {"grade": False, "grade_id": grade_id, "locked": True, "schema_version": 3, "solution": False}
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


# name: (answer cell after RIGHT, extra cells, expected scores of the extra test cells)
CASES: dict[str, tuple[str, tuple[Any, ...], dict[str, float]]] = {
    "numpy_float64_result": (
        "import numpy as np\ndef mean(xs):\n    return np.mean(xs)",
        (
            make_test_cell(
                "mean", "assert mean([1, 2, 3]) == 2.0\nassert isinstance(mean([1.0]), float)", points=1
            ),
        ),
        {"mean": 1.0},
    ),
    "ndarray_checked_with_allclose_and_array_equal": (
        "import numpy as np\ndef squares(n):\n    return np.arange(n) ** 2",
        (
            make_test_cell(
                "arrays",
                "import numpy as np\nnp.testing.assert_allclose(squares(4), [0, 1, 4, 9])\n"
                "assert np.array_equal(squares(3), np.array([0, 1, 4]))\nassert squares(5).dtype.kind == 'i'",
                points=2,
            ),
        ),
        {"arrays": 2.0},
    ),
    "pandas_series_and_frame_returned": (
        "import pandas as pd\ndef table(n):\n    return pd.DataFrame({'x': range(n), 'y': [i * i for i in range(n)]})\n"
        "def column(n):\n    return table(n)['y']",
        (
            make_test_cell(
                "frames",
                "import pandas as pd\n"
                "pd.testing.assert_frame_equal(table(3), pd.DataFrame({'x': range(3), 'y': [0, 1, 4]}))\n"
                "pd.testing.assert_series_equal(column(3), pd.Series([0, 1, 4], name='y'))",
                points=2,
            ),
        ),
        {"frames": 2.0},
    ),
    "dataframe_built_in_the_answer_read_by_a_test": (
        "import pandas as pd\ndf = pd.DataFrame({'a': [1, 2, 3], 'b': ['x', 'y', 'z']})",
        (
            make_test_cell(
                "df_column", "assert df['a'].sum() == 6\nassert list(df['b']) == ['x', 'y', 'z']", points=1
            ),
        ),
        {"df_column": 1.0},
    ),
    "dataframe_built_in_an_instructor_cell": (
        "def total(col):\n    return int(DATA[col].sum())",
        (
            instructor_cell(
                "data", "import pandas as pd\nDATA = pd.DataFrame({'a': [1, 2, 3], 'b': [4, 5, 6]})"
            ),
            make_test_cell(
                "instructor_data", "assert total('b') == 15\nassert DATA['a'].tolist() == [1, 2, 3]", points=1
            ),
        ),
        {"instructor_data": 1.0},
    ),
    "warning_emitted_in_the_answer_cell": (
        "import warnings\ndef checked_square(x):\n    if x < 0:\n        warnings.warn('negative input')\n"
        "    return x * x\nchecked_square(-1)",
        (make_test_cell("warned", "assert checked_square(3) == 9", points=1),),
        {"warned": 1.0},
    ),
    "pandas_warning_inside_the_answer_cell": (
        "import pandas as pd\nDAYS = [d.day for d in pd.to_datetime(['13/01/2020', '14/01/2020'])]",
        (make_test_cell("pandas_warned", "assert DAYS == [13, 14]", points=1),),
        {"pandas_warned": 1.0},
    ),
    "inspect_signature_in_learner_code": (
        "import inspect\ndef arity(f):\n    return len(inspect.signature(f).parameters)\n"
        "def checked(x):\n    assert arity(checked) == 1\n    return x * x",
        (make_test_cell("signature", "assert checked(4) == 16\nassert arity(square) == 1", points=1),),
        {"signature": 1.0},
    ),
    "dataclass_used_internally": (
        "from dataclasses import dataclass\n@dataclass\nclass Point:\n    x: int\n    y: int\n"
        "def norm2(x, y):\n    p = Point(x, y)\n    return p.x * p.x + p.y * p.y",
        (make_test_cell("dataclass", "assert norm2(3, 4) == 25", points=1),),
        {"dataclass": 1.0},
    ),
    "generator_function_listed_by_the_test": (
        "def gen(n):\n    for i in range(n):\n        yield i * i\ndef total(n):\n    return sum(gen(n))",
        (make_test_cell("generator", "assert list(gen(3)) == [0, 1, 4]\nassert total(4) == 14", points=1),),
        {"generator": 1.0},
    ),
    "lru_cache_recursion": (
        "import functools\n@functools.lru_cache(maxsize=None)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)",
        (make_test_cell("fib", "assert fib(30) == 832040", points=1),),
        {"fib": 1.0},
    ),
    "deep_recursion_500": (
        "def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)",
        (make_test_cell("depth", "assert depth(500) == 500", points=1),),
        {"depth": 1.0},
    ),
    "thread_pool_inside_the_answer": (
        "from concurrent.futures import ThreadPoolExecutor\ndef squares(xs):\n"
        "    with ThreadPoolExecutor(max_workers=4) as pool:\n        return list(pool.map(square, xs))",
        (make_test_cell("threads", "assert squares([1, 2, 3]) == [1, 4, 9]", points=1),),
        {"threads": 1.0},
    ),
    "partial_credit_from_the_last_expression": (
        "",
        (
            make_test_cell("partial", "1.5 if square(4) == 16 else 0", points=2),
            make_test_cell(
                "full_by_number", "points = sum(square(n) == n * n for n in range(3))\npoints / 3", points=1
            ),
        ),
        {"partial": 1.5, "full_by_number": 1.0},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_honest_work_keeps_full_marks(grader: Grader, case: str) -> None:
    answer, extra, expected = CASES[case]
    outcome = grader.grade_square(f"{RIGHT}\n\n{answer}", *extra)
    assert outcome.scores == {"visible": 1.0, "hidden": 2.0, **expected}, outcome.report.to_dict()
    assert not outcome.report.needs_review, outcome.report.to_dict()


def test_a_wrong_answer_gets_the_tests_message_in_its_feedback_and_is_not_flagged(grader: Grader) -> None:
    message = make_test_cell(
        "message", "assert square(5) == 25, f'square(5) should be 25, got {square(5)}'", points=1
    )
    outcome = grader.grade_square(WRONG, message)
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0, "message": 0.0}, outcome.report.to_dict()
    assert "square(5) should be 25, got 6" in outcome.feedback
    assert not outcome.report.needs_review, outcome.report.to_dict()
