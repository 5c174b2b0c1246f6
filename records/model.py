"""The shapes shared by the records core (the contract between its modules and the store).

Events are plain data; the store adds ``seq`` (its order of arrival), ``prev_hash`` and
``hash`` (the tamper-evident chain, ``records/history.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Event kinds and the fields their ``body`` holds:
#   grade     {course, item, kind: "assignment"|"exam", score, max_score, version, submission_id,
#              submission_sha256, sandbox_image, rubric_version, received_at, attempt_id?,
#              hand_graded?: [{grade_id, by}], author?, reason?}
#              item = assignment or exam name; version orders grades of one submission/attempt;
#              hand_graded: the cells a person scored and who; author and reason: the person's change
#              that made this version (a cell graded by hand, an accepted regrade run)
#   proctoring{course, item, attempt_id, state: "verified"|"rejected"|"second_review"|..., version}
#   override  {course, field: "grade", value, reason, author, version}
#   freeze    {reason, author}
EVENT_KINDS = ("grade", "proctoring", "override", "freeze")


@dataclass(frozen=True)
class Event:
    seq: int  # order of arrival in the learner's history (1, 2, ...)
    kind: str
    learner: str
    body: dict[str, Any]
    at: str  # ISO 8601 UTC, when it was recorded
    actor: str  # who or what caused it ("worker", an instructor's name, a provider)
    prev_hash: str = ""
    hash: str = ""


@dataclass(frozen=True)
class CourseResult:
    course: str
    required: bool
    credits: float
    assignments: float | None  # 0..1 share of assignment points, by the policy (best or latest)
    exam: float | None  # 0..1, the counted exam attempt
    exam_verified: bool
    grade: float | None  # 0..100, rounded by the policy
    letter: str | None
    passed: bool
    overridden: bool = False
    sources: tuple[dict[str, Any], ...] = field(default_factory=tuple)  # which events each number came from
    rule: str = ""  # the formula and policy that made ``grade``, in words, for ``explain``

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: numbers, strings, booleans and null only."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["sources"] = [dict(source) for source in self.sources]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CourseResult:
        values = dict(data)
        values["sources"] = tuple(dict(source) for source in data.get("sources", ()))
        return cls(**values)


@dataclass(frozen=True)
class Record:
    programme_id: str
    learner: str
    courses: tuple[CourseResult, ...]
    credits_earned: float
    complete: bool
    credit_eligible: bool
    frozen: bool
    last_seq: int
    history_hash: str  # hash of the last event: the record is a function of that history
    programme_title: str = ""  # for people (the explanation); "" in records made before it was kept

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; ``from_dict(to_dict())`` gives back an equal record."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["courses"] = [course.to_dict() for course in self.courses]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        values = dict(data)
        values["courses"] = tuple(CourseResult.from_dict(course) for course in data["courses"])
        return cls(**values)


def event_to_dict(event: Event) -> dict[str, Any]:
    """The JSON shape of an event, as stored and as hashed (``records/history.py``)."""
    return {
        "seq": event.seq,
        "kind": event.kind,
        "learner": event.learner,
        "body": event.body,
        "at": event.at,
        "actor": event.actor,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def event_from_dict(data: dict[str, Any]) -> Event:
    return Event(
        int(data["seq"]),
        str(data["kind"]),
        str(data["learner"]),
        dict(data["body"]),
        str(data["at"]),
        str(data["actor"]),
        str(data.get("prev_hash", "")),
        str(data.get("hash", "")),
    )
