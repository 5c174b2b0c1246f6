"""The stored grade report, read typed: what every version wrote reads back as written, and
what none wrote is refused with ``CorruptData`` naming the field."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from grader.errors import CorruptData, StorageError
from grader.report import GradeReport
from grader.scoring import CellResult
from grader.stored_report import GradeChange, StoredCell, StoredReport

GRADED = GradeReport(
    (
        CellResult("hw.ipynb", "t1", 1.0, 1.0, "passed"),
        CellResult("hw.ipynb", "t2", 0.0, 2.0, "failed", "AssertionError", "tampered"),
        CellResult("hw.ipynb", "essay", None, 3.0, "needs_manual_grading"),
    ),
    6.0,
    "v1",
    events=("kernel restarted",),
    on_time=False,
    late_credit=0.5,
    flags=("sandbox lost",),
)

# The shape the first version wrote (commit 20d87fa): no needs_review, judge or flags, cells
# without a review, and integer points as a rubric gave them.
FIRST_VERSION: dict[str, Any] = {
    "score": 2,
    "raw_score": 2,
    "max_score": 3,
    "on_time": True,
    "late_credit": 1.0,
    "needs_manual_grading": False,
    "rubric_version": "v0",
    "events": [],
    "cells": [
        {
            "notebook": "hw.ipynb",
            "grade_id": "t",
            "score": 2,
            "max_score": 3,
            "status": "partial",
            "message": "",
        }
    ],
}


def test_a_graders_report_reads_back_typed_and_gives_back_the_same_json() -> None:
    stored = StoredReport.from_json(json.loads(json.dumps(GRADED.to_dict())))
    assert (stored.score, stored.raw_score, stored.max_score) == (GRADED.score, GRADED.raw_score, 6.0)
    assert (stored.on_time, stored.late_credit, stored.judge) == (False, 0.5, "judge")
    assert (stored.needs_manual_grading, stored.needs_review) == (True, True)
    assert (stored.events, stored.flags, stored.change) == (("kernel restarted",), ("sandbox lost",), None)
    assert [(c.grade_id, c.score, c.status, c.review) for c in stored.cells] == [
        ("t1", 1.0, "passed", ""),
        ("t2", 0.0, "failed", "tampered"),
        ("essay", None, "needs_manual_grading", ""),
    ]
    assert stored.to_dict() == GRADED.to_dict()
    assert stored.to_grade_report() == GRADED
    assert StoredReport.of(GRADED) == stored


def test_a_first_version_report_reads_with_the_old_defaults_and_is_given_back_byte_for_byte() -> None:
    stored = StoredReport.from_json(FIRST_VERSION)
    assert (stored.needs_review, stored.judge, stored.flags) == (None, "in-process", ())
    assert stored.cells[0].review is None
    assert json.dumps(stored.to_dict()) == json.dumps(FIRST_VERSION)  # 2 stays 2, no key is added
    assert json.dumps(stored.cells[0].to_dict()) == json.dumps(FIRST_VERSION["cells"][0])


def test_a_minimal_report_and_unknown_keys_are_kept_as_stored() -> None:
    minimal = {"score": 1.0, "max_score": 3.0, "cells": [], "added_later": {"x": 1}}
    stored = StoredReport.from_json(minimal)
    assert (stored.raw_score, stored.rubric_version, stored.on_time, stored.late_credit) == (
        None,
        None,
        True,
        1.0,
    )
    assert stored.to_dict() == minimal


def test_a_change_note_reads_typed_and_stays_whole() -> None:
    note = {
        "kind": "manual",
        "grade_id": "t2",
        "previous_score": 0.0,
        "score": 2.0,
        "author": "ann",
        "reason": "ok",
    }
    stored = StoredReport.from_json({**GRADED.to_dict(), "change": note})
    assert stored.change == GradeChange("manual", "ann", "ok", "t2", document=json.dumps(note))
    assert stored.change.to_dict() == note and stored.to_dict()["change"] == note
    assert StoredReport.from_json({**GRADED.to_dict(), "change": None}).change is None


def test_an_amended_report_replaces_only_what_it_names_and_adds_new_names_last() -> None:
    stored = StoredReport.from_json({**FIRST_VERSION, "added_later": {"x": 1}})
    amended = stored.amended(score=1, on_time=False, change={"kind": "terms", "by": "ann"})
    assert list(amended.to_dict()) == [*FIRST_VERSION, "added_later", "change"]
    assert json.dumps(amended.to_dict()["cells"]) == json.dumps(FIRST_VERSION["cells"])  # 2 stays 2
    assert (amended.score, amended.on_time, amended.change and amended.change.kind) == (1, False, "terms")
    assert stored.score == 2  # the report amended is unchanged
    with pytest.raises(CorruptData, match="amended report.score"):
        stored.amended(score="two")


def test_the_report_is_immutable_and_its_json_a_copy() -> None:
    stored = StoredReport.from_json(GRADED.to_dict())
    with pytest.raises(dataclasses.FrozenInstanceError):
        stored.score = 6.0  # type: ignore[misc]
    stored.to_dict()["cells"].clear()
    stored.cells[0].to_dict()["score"] = 99
    assert len(stored.to_dict()["cells"]) == 3 and stored.cells[0].to_dict()["score"] == 1.0


def test_a_report_built_in_code_has_the_document_it_would_be_stored_as() -> None:
    built = StoredReport(2.0, 3.0, cells=(StoredCell("hw.ipynb", "t", 2.0, 3.0, "partial"),))
    assert StoredReport.from_json(built.to_dict()) == built
    assert "review" not in built.cells[0].to_dict() and "needs_review" not in built.to_dict()


def test_a_learners_cell_leaves_out_the_review_note() -> None:
    cell = StoredReport.of(GRADED).cells[1]
    assert "review" not in cell.to_dict(with_review=False) and cell.to_dict()["review"] == "tampered"


@pytest.mark.parametrize(
    ("document", "named"),
    [
        (["not", "an", "object"], "is not a JSON object"),
        ({"max_score": 3.0}, "has no 'score'"),
        ({"score": "2", "max_score": 3.0}, "report.score is not a number"),
        ({"score": True, "max_score": 3.0}, "report.score is not a number"),
        ({"score": 1.0, "max_score": 3.0, "cells": {}}, "report.cells is not a list"),
        (
            {"score": 1.0, "max_score": 3.0, "cells": [{"notebook": "hw.ipynb"}]},
            "report.cells[0] has no 'grade_id'",
        ),
        (
            {**FIRST_VERSION, "cells": [{**FIRST_VERSION["cells"][0], "score": "2"}]},
            "cells[0].score is not a number",
        ),
        ({"score": 1.0, "max_score": 3.0, "flags": [1]}, "report.flags is not a string"),
        ({"score": 1.0, "max_score": 3.0, "on_time": "yes"}, "report.on_time is not true or false"),
        ({"score": 1.0, "max_score": 3.0, "change": "manual"}, "report.change is not a JSON object"),
    ],
)
def test_a_malformed_stored_report_is_refused_naming_the_field(document: object, named: str) -> None:
    with pytest.raises(CorruptData, match=named.replace("[", r"\[").replace("]", r"\]")) as refused:
        StoredReport.from_json(document)
    assert isinstance(refused.value, StorageError) and refused.value.code == "corrupt_data"
