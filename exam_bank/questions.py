"""Checking one question notebook of an exam: it builds as an nbgrader assignment and its
placeholders match the parameters the spec gives it.

The notebook is built after filling its placeholders with sample values, because that
rendered source is what will be graded and released; its rubric's maximum is the
question's worth, which the spec compares across a pool.
"""

from __future__ import annotations

from collections.abc import Mapping

from exam_bank.params import Domain
from exam_bank.rendering import fill_placeholders, load_question, placeholders_in
from grader.assignment import build_assignment
from grader.errors import InvalidAssignment, InvalidExam, InvalidNotebook
from grader.notebooks import dump_notebook
from specs.fields import Where


def check_question(file: str, data: bytes, params: Mapping[str, Domain], where: Where) -> float:
    """The question's maximum points; ``InvalidExam`` listing every problem found in it."""
    notebook = load_question(data, file)
    used = placeholders_in(notebook, file)
    problems = [
        f"{label}: unknown placeholder {{{{ {name} }}}} (not in {where.key('params')})"
        for name, label in used.items()
        if name not in params
    ]
    problems += [
        f"{where.key('params').key(name)}: {file} has no {{{{ {name} }}}} placeholder"
        for name in params
        if name not in used
    ]
    if problems:
        raise InvalidExam("; ".join(problems), tuple(problems))
    fill_placeholders(notebook, {name: domain.sample() for name, domain in params.items()}, file)
    try:
        assignment = build_assignment({file: dump_notebook(notebook)})
    except (InvalidNotebook, InvalidAssignment) as exc:
        message = exc.message if exc.message.startswith(file) else f"{file}: {exc.message}"
        raise InvalidExam(message) from exc
    return assignment.rubric.max_score
