"""What of an instructor's cell the judge holds too: definitions, never computations."""

from __future__ import annotations

import pytest

from grader.definitions import definitions_of


def test_imports_functions_classes_and_literal_constants_are_kept() -> None:
    code = (
        "import numpy as np\nfrom math import sqrt\nEXPECTED = 9\nLIMITS: tuple = (1, 2)\n"
        "def helper(x):\n    return x + 1\nclass Checker:\n    pass\n"
    )
    kept = definitions_of(code)
    for piece in (
        "import numpy as np",
        "from math import sqrt",
        "EXPECTED = 9",
        "def helper",
        "class Checker",
    ):
        assert piece in kept


@pytest.mark.parametrize(
    "code",
    [
        "data = load('x.csv')",
        "x = np.arange(10)",
        "a.b = 1",
        "x, y = f()",
        "print('hello')",
        "for i in range(3):\n    import os",
        "if True:\n    def f():\n        pass",
    ],
)
def test_computations_and_nested_statements_stay_in_the_learners_process(code: str) -> None:
    assert definitions_of(code) == ""


def test_ipython_lines_are_dropped_and_cell_magics_give_nothing() -> None:
    assert definitions_of("%matplotlib inline\n!ls\nimport math") == "import math"
    assert definitions_of("%%time\nimport math") == ""


def test_a_cell_that_does_not_parse_gives_nothing() -> None:
    assert definitions_of("def broken(:\n") == ""
