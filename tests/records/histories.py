"""Builders for programme specs and learner histories, after nbgrader's test helpers."""

from __future__ import annotations

import copy
import json
from typing import Any

from records.compute import compute_record
from records.history import chain
from records.model import Event, Record
from records.programme import Programme, parse_programme

LEARNER = "ada"
BEFORE = "2026-05-01T12:00:00+00:00"  # before FREEZE_AT
FREEZE_AT = "2026-06-01T00:00:00+00:00"
AFTER = "2026-06-15T12:00:00+00:00"


def course_data(course: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "course": course,
        "required": True,
        "credits": 4,
        "weights": {"assignments": 0.4, "exam": 0.6},
        "pass_threshold": 60,
    }
    data.update(overrides)
    return data


def programme_data(**policies: Any) -> dict[str, Any]:
    """Two required courses (one needing a verified exam), two electives of which one is needed."""
    return {
        "id": "ds-micromasters",
        "title": "Data Science MicroMasters",
        "courses": [
            course_data("stats", requires_verified_exam=True, exam="final"),
            course_data("ml", weights={"assignments": 0.5, "exam": 0.5}, pass_threshold=50),
            course_data(
                "viz",
                required=False,
                credits=2,
                weights={"assignments": 1, "exam": 0},
                pass_threshold=70,
                assignments=["hw1", "hw2"],
            ),
            course_data("nlp", required=False, credits=2, weights={"assignments": 0, "exam": 1}),
        ],
        "electives_needed": 1,
        "policies": {
            "attempts": "best",
            "rounding": 1,
            "letters": [
                {"letter": "A", "min": 90},
                {"letter": "B", "min": 80},
                {"letter": "C", "min": 70},
                {"letter": "D", "min": 60},
                {"letter": "F", "min": 0},
            ],
            **policies,
        },
    }


def make_programme(**policies: Any) -> Programme:
    return parse_programme("programme.json", json.dumps(programme_data(**policies)))


def grade(
    course: str,
    item: str,
    score: float,
    max_score: float = 10,
    *,
    kind: str = "assignment",
    submission: str = "s1",
    version: int = 1,
    received_at: str = "2026-03-01T10:00:00+00:00",
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "course": course,
        "item": item,
        "kind": kind,
        "score": score,
        "max_score": max_score,
        "version": version,
        "submission_id": submission,
        "submission_sha256": f"sha-{submission}",
        "sandbox_image": "sandbox@sha256:abc",
        "rubric_version": "r1",
        "received_at": received_at,
    }
    if kind == "exam":
        body["attempt_id"] = submission
    body.update(extra)
    return {"kind": "grade", "body": body}


def exam(course: str, score: float, attempt: str = "a1", **extra: Any) -> dict[str, Any]:
    return grade(course, "final", score, 100, kind="exam", submission=attempt, **extra)


def proctoring(
    course: str, state: str, attempt: str = "a1", version: int = 1, **extra: Any
) -> dict[str, Any]:
    body = {
        "course": course,
        "item": "final",
        "attempt_id": attempt,
        "state": state,
        "version": version,
        **extra,
    }
    return {"kind": "proctoring", "body": body}


def override(
    course: str, value: float, version: int = 1, reason: str = "appeal upheld", author: str = "prof-lee"
) -> dict[str, Any]:
    body = {
        "course": course,
        "field": "grade",
        "value": value,
        "reason": reason,
        "author": author,
        "version": version,
    }
    return {"kind": "override", "body": body}


def freeze(reason: str = "term closed", author: str = "registrar") -> dict[str, Any]:
    return {"kind": "freeze", "body": {"reason": reason, "author": author}}


def at(change: dict[str, Any], when: str) -> dict[str, Any]:
    return {**change, "at": when}


def history(*changes: dict[str, Any], learner: str = LEARNER) -> tuple[Event, ...]:
    """Events numbered in the order given and chained, as the store would append them."""
    events = [
        Event(i, c["kind"], learner, copy.deepcopy(c["body"]), c.get("at", BEFORE), c.get("actor", "worker"))
        for i, c in enumerate(changes, start=1)
    ]
    return chain(events)


def record_of(*changes: dict[str, Any], programme: Programme | None = None) -> Record:
    return compute_record(programme or make_programme(), LEARNER, history(*changes))


def course_of(record: Record, name: str) -> Any:
    return next(result for result in record.courses if result.course == name)


def outcome(record: Record) -> dict[str, Any]:
    """What a learner's record says, without where in the history it sits (seqs, the head)."""
    data = record.to_dict()
    del data["history_hash"], data["last_seq"]
    for course in data["courses"]:
        course["sources"] = [{k: v for k, v in source.items() if k != "seq"} for source in course["sources"]]
    return data


# a pass in stats: assignments, a counted exam and its verifying review
PASSING_STATS = (
    grade("stats", "hw1", 8),
    grade("stats", "hw2", 6),
    exam("stats", 70),
    proctoring("stats", "verified"),
)
