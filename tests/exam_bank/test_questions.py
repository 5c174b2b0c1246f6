"""One question notebook of an exam: it builds as an assignment and its placeholders match its params."""

from __future__ import annotations

import pytest

from exam_bank.params import Choices, Range
from exam_bank.questions import check_question
from grader.errors import InvalidExam
from specs.fields import Where
from tests.builders import make_answer_cell, make_notebook, make_test_cell, to_bytes
from tests.exam_bank.bank import plain_question, question

WHERE = Where("exam.yaml").key("pools").index(0).key("questions").index(1)


def test_a_good_question_is_worth_its_rubric_maximum() -> None:
    assert check_question("q1.ipynb", question(points=3), {"k": Range(2, 9)}, WHERE) == 3.0
    assert check_question("q2.ipynb", plain_question(points=2), {}, WHERE) == 2.0


def test_a_placeholder_without_a_param_and_a_param_without_a_placeholder_are_both_named() -> None:
    with pytest.raises(InvalidExam) as caught:
        check_question("q1.ipynb", question(placeholder="n"), {"k": Choices((1, 2))}, WHERE)
    problems = caught.value.problems
    assert len(problems) == 2
    assert "unknown placeholder {{ n }} (not in exam.yaml: pools[0].questions[1].params)" in problems[0]
    assert problems[1] == "exam.yaml: pools[0].questions[1].params.k: q1.ipynb has no {{ k }} placeholder"


def test_a_question_that_is_not_an_nbgrader_assignment_is_refused_naming_the_file() -> None:
    nameless = make_test_cell("check", "assert True", points=1)
    nameless.metadata.nbgrader["grade_id"] = "answer"  # two cells with one grade id
    broken = to_bytes(make_notebook(make_answer_cell("answer", "y = 1"), nameless))
    with pytest.raises(InvalidExam, match=r"^q3\.ipynb, cell 2 .*duplicate grade_id") as caught:
        check_question("q3.ipynb", broken, {}, WHERE)
    assert caught.value.message.count("q3.ipynb") == 1


def test_bytes_that_are_not_a_notebook_are_refused() -> None:
    with pytest.raises(InvalidExam, match=r"^q4\.ipynb") as caught:
        check_question("q4.ipynb", b"\x89PNG not a notebook", {}, WHERE)
    assert caught.value.message.count("q4.ipynb") == 1
