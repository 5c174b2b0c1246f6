"""The explanation traces each number to its events, submission, image and rubric, and names who changed it (records/explain.py)."""

from __future__ import annotations

from records.explain import explain
from tests.records.histories import (
    AFTER,
    FREEZE_AT,
    PASSING_STATS,
    at,
    grade,
    make_programme,
    override,
    record_of,
)


def test_explain_traces_each_number_to_its_submission_image_and_rubric() -> None:
    programme = make_programme(freeze_at=FREEZE_AT)
    lines = explain(
        record_of(
            *PASSING_STATS,
            override("ml", 55),
            at(grade("viz", "hw1", 3), AFTER),
            programme=programme,
        )
    )
    text = "\n".join(lines)
    assert lines[0].startswith(
        "Data Science MicroMasters for ada: 2 of 4 courses passed, 8 credits; complete: no"
    )
    assert "stats (required, 4 credits): grade 70 (C), passed" in text
    assert "rule: 100 × (0.4 × assignments + 0.6 × exam), best attempt, rounded half up to 1 decimals" in text
    assert "assignment hw1: 8/10 from s1 (event 1 at" in text
    assert "submission_sha256 sha-s1, sandbox_image sandbox@sha256:abc, rubric_version r1" in text
    assert "proctoring of a1: verified" in text
    assert "override to 55 by prof-lee: appeal upheld" in text
    assert "grade hw1 held by the freeze (no reason given)" in text
    assert "assignment hw2: no grade, counts as 0" in text


def test_explain_names_who_graded_by_hand_and_who_changed_a_grade_not_the_programmes_id() -> None:
    hand_graded = grade(
        "ml",
        "hw1",
        9,
        version=2,
        hand_graded=[{"grade_id": "essay", "by": "prof-lee"}],
        author="prof-lee",
        reason="a clear argument",
    )
    lines = explain(record_of(hand_graded, programme=make_programme()))
    text = "\n".join(lines)
    assert lines[0].startswith("Data Science MicroMasters for ada:") and "ds-micromasters" not in lines[0]
    assert (
        "assignment hw1: 9/10, cell essay graded by prof-lee; changed by prof-lee: a clear argument; from s1"
        in text
    )
    plain = "\n".join(explain(record_of(grade("ml", "hw1", 9), programme=make_programme())))
    assert (
        "assignment hw1: 9/10 from s1" in plain and "graded by" not in plain
    )  # the machine's grade names nobody
