"""Builders for exam banks: question notebooks with placeholders and spec documents to mutate."""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml

from tests.builders import make_answer_cell, make_notebook, make_test_cell, to_bytes

HIDDEN = "### BEGIN HIDDEN TESTS\nassert f(10) == 10 * {{ k }}\n### END HIDDEN TESTS\n"


def question(points: float = 1, placeholder: str = "k") -> bytes:
    """A question whose solution, visible test and hidden test all use ``{{ placeholder }}``."""
    solution = f"def f(x):\n    return x * {{{{ {placeholder} }}}}"
    test = f"assert f(2) == 2 * {{{{ {placeholder} }}}}\n" + HIDDEN.replace(
        "{{ k }}", f"{{{{ {placeholder} }}}}"
    )
    return to_bytes(
        make_notebook(make_answer_cell("answer", solution), make_test_cell("check", test, points))
    )


def plain_question(points: float = 1) -> bytes:
    """A question with no placeholders."""
    return to_bytes(
        make_notebook(make_answer_cell("answer", "y = 1"), make_test_cell("check", "assert y == 1", points))
    )


def question_files() -> dict[str, bytes]:
    """Three one-point questions for the 'basics' pool and two two-point ones for 'proofs'."""
    files = {f"q{i}.ipynb": question(1) for i in (1, 2, 3)}
    files.update({f"p{i}.ipynb": question(2) for i in (1, 2)})
    return files


def spec_data() -> dict[str, Any]:
    """A valid spec as plain data; tests copy and break it one field at a time."""
    return copy.deepcopy(
        {
            "title": "Midterm",
            "time_limit_minutes": 90,
            "window": {"opens": "2026-03-02T09:00:00Z", "closes": "2026-03-02T21:00:00Z"},
            "attempts_allowed": 2,
            "grace_seconds": 30,
            "access": {"code": "owl-42", "networks": ["10.0.0.0/8", "2001:db8::/32"]},
            "requires_proctoring": True,
            "pools": [
                {
                    "name": "basics",
                    "draw": 2,
                    "questions": [
                        {"file": "q1.ipynb", "params": {"k": {"choices": [2, 3, 5]}}},
                        {"file": "q2.ipynb", "params": {"k": {"range": [-4, 4]}}},
                        {"file": "q3.ipynb", "params": {"k": {"range": [0.5, 1.5], "step": 0.1}}},
                    ],
                },
                {
                    "name": "proofs",
                    "draw": 1,
                    "questions": [
                        {"file": "p1.ipynb", "params": {"k": {"range": [1.0, 2.0]}}},
                        {"file": "p2.ipynb", "params": {"k": {"choices": ["a", "b"]}}},
                    ],
                },
            ],
        }
    )


def as_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def as_json(data: Any) -> str:
    return json.dumps(data, indent=2)
