"""Answers that lie: objects whose comparisons, truth or type say a wrong answer is right."""

from __future__ import annotations

import pytest

from tests.builders import make_test_cell
from tests.security.conftest import WRONG, Grader

pytestmark = [pytest.mark.docker, pytest.mark.slow]

LIAR = "class Liar:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"

# Each replaces ``square`` (after WRONG) with one that hands back a lying object.
ATTACKS = {
    "int_subclass_eq_true": (
        "class I(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\n"
        "def square(x):\n    return I(x + 1)"
    ),
    "float_subclass_eq_true": (
        "class F(float):\n    def __eq__(self, other):\n        return True\n    __hash__ = float.__hash__\n"
        "def square(x):\n    return F(x + 1)"
    ),
    "str_subclass_eq_true": (
        "class S(str):\n    def __eq__(self, other):\n        return True\n    __hash__ = str.__hash__\n"
        "def square(x):\n    return S(x + 1)"
    ),
    "complex_subclass_eq_true": (
        "class C(complex):\n    def __eq__(self, other):\n        return True\n    __hash__ = complex.__hash__\n"
        "def square(x):\n    return C(x + 1)"
    ),
    "ndarray_subclass_eq_true": (
        "import numpy as np\nclass A(np.ndarray):\n    def __eq__(self, other):\n        return True\n"
        "def square(x):\n    return np.asarray(x + 1).view(A)"
    ),
    "object_eq_true": LIAR + "def square(x):\n    return Liar()",
    "object_eq_returns_truthy_object": (
        "class Yes:\n    def __bool__(self):\n        return True\n"
        "class Liar:\n    def __eq__(self, other):\n        return Yes()\n    __ne__ = __eq__\n    __hash__ = object.__hash__\n"
        "def square(x):\n    return Liar()"
    ),
    "object_eq_bool_hash_all_lie": (
        "class Liar:\n    def __eq__(self, other):\n        return True\n    def __bool__(self):\n        return True\n"
        "    def __hash__(self):\n        return 9\n    def __int__(self):\n        return 9\n    def __index__(self):\n"
        "        return 9\n    def __float__(self):\n        return 9.0\n"
        "def square(x):\n    return Liar()"
    ),
    "mock_any": "from unittest import mock\ndef square(x):\n    return mock.ANY",
    "magicmock_eq_configured": (
        "from unittest.mock import MagicMock\ndef square(x):\n    m = MagicMock()\n"
        "    m.__eq__.return_value = True\n    return m"
    ),
    "mock_square_itself": ("from unittest.mock import MagicMock, ANY\nsquare = MagicMock(return_value=ANY)"),
    "dataclass_eq_true": (
        "from dataclasses import dataclass\n@dataclass(eq=False)\nclass Answer:\n    value: int\n"
        "    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        "def square(x):\n    return Answer(x + 1)"
    ),
    "namedtuple_subclass_lies": (
        "from collections import namedtuple\nclass P(namedtuple('P', 'value')):\n"
        "    def __eq__(self, other):\n        return True\n    __hash__ = tuple.__hash__\n"
        "def square(x):\n    return P(x + 1)"
    ),
    "object_array_of_liars": LIAR
    + "import numpy as np\ndef square(x):\n    return np.array([Liar()], dtype=object)",
    "masked_array_everything_masked": (
        "import numpy as np\nclass M(np.ma.MaskedArray):\n    def __eq__(self, other):\n        return True\n"
        "def square(x):\n    return np.ma.masked_array([x + 1], mask=[True]).view(M)"
    ),
    "callable_handed_back": (
        LIAR + "class Both(Liar):\n    def __call__(self, *a, **k):\n        return self\n"
        "def square(x):\n    return Both()"
    ),
    "lambda_as_square_returns_liar": LIAR + "square = lambda x: Liar()",
    "callable_instance_as_square": LIAR
    + "class Square:\n    def __call__(self, x):\n        return Liar()\nsquare = Square()",
}

# Containers and generators whose items lie, aimed at tests of their own.
ITEM_TESTS = (
    make_test_cell("gen", "assert list(squares(3)) == [0, 1, 4]", points=1),
    make_test_cell("listed", "assert square_list(3) == [0, 1, 4]", points=1),
    make_test_cell("mapped", "assert square_map(2) == {0: 0, 1: 1}", points=1),
)
ITEM_ATTACKS = {
    "generator_yields_liars": LIAR + "def squares(n):\n    for _ in range(n):\n        yield Liar()",
    "list_of_liars": LIAR + "def square_list(n):\n    return [Liar() for _ in range(n)]",
    "dict_with_liar_values": LIAR + "def square_map(n):\n    return {i: Liar() for i in range(n)}",
    "generator_of_generators": (
        LIAR + "def squares(n):\n    yield from (Liar() for _ in range(n))\n"
        "def square_list(n):\n    return (Liar() for _ in range(n))"
    ),
    "tuple_subclass_list_items": (
        "class T(tuple):\n    def __eq__(self, other):\n        return True\n    __hash__ = tuple.__hash__\n"
        "def square_list(n):\n    return T(range(n))\ndef square_map(n):\n    return {0: T(), 1: T()}"
    ),
}

# A module the test uses without importing it: the learner swaps in a fake or patched one.
NUMPY_GLOBAL_TEST = make_test_cell("np_global", "np.testing.assert_allclose(square(3), 9)", points=1)
MODULE_ATTACKS = {
    "fake_numpy_module_registered": (
        "import sys, types\nnp = types.ModuleType('numpy')\nnp.testing = types.SimpleNamespace("
        "assert_allclose=lambda *a, **k: None)\nsys.modules['numpy'] = np"
    ),
    "real_numpy_with_patched_testing": (
        "import numpy as np\nnp.testing.assert_allclose = lambda *a, **k: None"
    ),
    "module_subclass_named_numpy": (
        "import sys, types\nclass M(types.ModuleType):\n    def __getattr__(self, name):\n        return self\n"
        "    def __call__(self, *a, **k):\n        return None\n"
        "np = M('numpy')\nsys.modules['numpy'] = np"
    ),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_lying_answer_scores_nothing_and_is_flagged(grader: Grader, attack: str) -> None:
    outcome = grader.grade_square(f"{WRONG}\n\n{ATTACKS[attack]}")
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0}, outcome.report.to_dict()
    assert outcome.report.needs_review, outcome.report.to_dict()


@pytest.mark.parametrize("attack", sorted(ITEM_ATTACKS))
def test_lying_items_in_containers_and_generators_score_nothing_and_are_flagged(
    grader: Grader, attack: str
) -> None:
    outcome = grader.grade_square(f"{WRONG}\n\n{ITEM_ATTACKS[attack]}", *ITEM_TESTS)
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0, "gen": 0.0, "listed": 0.0, "mapped": 0.0}, (
        outcome.report.to_dict()
    )
    assert outcome.report.needs_review, outcome.report.to_dict()


@pytest.mark.parametrize("attack", sorted(MODULE_ATTACKS))
def test_a_fake_module_under_a_real_name_changes_nothing(grader: Grader, attack: str) -> None:
    """The judge imports a module by name itself; what the learner registered never runs."""
    outcome = grader.grade_square(f"{WRONG}\n\n{MODULE_ATTACKS[attack]}", NUMPY_GLOBAL_TEST)
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0, "np_global": 0.0}, outcome.report.to_dict()
