"""The grade report as the store keeps it, typed once where it is read, so no reader indexes JSON by name.

A stored report is the JSON ``GradeReport.to_dict`` wrote, plus what was added on the way (a
``change`` note when a person, a regrade or new lateness terms made the version), in the
shape of the version that wrote it: the first reports had no ``needs_review``, ``judge`` or
``flags`` and their cells no ``review``; tests and tools store reports with only a score, a
maximum and cells. Reading keeps each value as stored, never recomputed (a report's ``score``
is what the learner was told), and keeps the document itself, so ``to_dict`` gives back the
stored JSON byte for byte (key order, ``2`` against ``2.0``, keys this version does not know)
for the pure functions that restate a report and for the API that shows it.

A document no version wrote (not an object, a score that is not a number, a cell without a
grade id) is refused with ``CorruptData`` naming the field, rather than failing later as a
``KeyError`` in whichever reader met it first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from grader.errors import CorruptData
from grader.report import GradeReport
from grader.scoring import CellResult, CellStatus

T = TypeVar("T")
MISSING: Any = object()


@dataclass(frozen=True)
class StoredCell:
    """One cell's result as stored; ``review`` is None in cells written before reviews existed."""

    notebook: str
    grade_id: str
    score: float | None
    max_score: float
    status: str
    message: str = ""
    review: str | None = None
    document: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.document:  # built in code (a test's builder): the document it would be stored as
            data: dict[str, Any] = {
                "review": self.review,
                "notebook": self.notebook,
                "grade_id": self.grade_id,
            }
            data.update(score=self.score, max_score=self.max_score, status=self.status, message=self.message)
            _set_document(self, _without_none(data, "review"))

    @classmethod
    def from_json(cls, data: object, where: str = "cell") -> StoredCell:
        cell = _object(data, where)
        return cls(
            notebook=_field(cell, "notebook", _text, where),
            grade_id=_field(cell, "grade_id", _text, where),
            score=_field(cell, "score", _optional_number, where),
            max_score=_field(cell, "max_score", _number, where),
            status=_field(cell, "status", _text, where),
            message=_field(cell, "message", _text, where, default=""),
            review=_field(cell, "review", _text, where, default=None),
            document=_dump(cell),
        )

    @property
    def key(self) -> tuple[str, str]:
        """What names a cell across versions of a grade: its notebook and grade id."""
        return (self.notebook, self.grade_id)

    @property
    def scored(self) -> bool:
        return self.score is not None

    def to_dict(self, with_review: bool = True) -> dict[str, Any]:
        """The cell as stored; a learner's view leaves out ``review`` (it can say how tampering was caught)."""
        data: dict[str, Any] = json.loads(self.document)
        if not with_review:
            data.pop("review", None)
        return data


@dataclass(frozen=True)
class GradeChange:
    """Why a version was made (``manual``, ``regrade``, a lateness change): who, why, which cell."""

    kind: str
    author: str
    reason: str
    grade_id: str | None = None  # the cell a person scored, for a manual change
    document: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.document:
            data = {
                "kind": self.kind,
                "author": self.author,
                "reason": self.reason,
                "grade_id": self.grade_id,
            }
            _set_document(self, _without_none(data, "grade_id"))

    @classmethod
    def from_json(cls, data: object, where: str = "change") -> GradeChange:
        note = _object(data, where)
        return cls(
            kind=_field(note, "kind", _text, where, default=""),
            author=_field(note, "author", _text, where, default=""),
            reason=_field(note, "reason", _text, where, default=""),
            grade_id=_field(note, "grade_id", _text, where, default=None),
            document=_dump(note),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.document)
        return data


@dataclass(frozen=True)
class StoredReport:
    """A stored grade report, read: each field as the writing version left it, or its old default.

    ``needs_manual_grading`` and ``needs_review`` are None in reports written before them;
    ``judge`` is ``in-process`` for those written before the judge (as ``GradeReport.from_dict``).
    """

    score: float
    max_score: float
    raw_score: float | None = None
    on_time: bool = True
    late_credit: float = 1.0
    needs_manual_grading: bool | None = None
    needs_review: bool | None = None
    rubric_version: str | None = None
    judge: str = "in-process"
    events: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    cells: tuple[StoredCell, ...] = ()
    change: GradeChange | None = None
    document: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.document:  # in ``GradeReport.to_dict``'s order, leaving out what is unknown
            data: dict[str, Any] = {
                "score": self.score,
                "raw_score": self.raw_score,
                "max_score": self.max_score,
            }
            data.update(on_time=self.on_time, late_credit=self.late_credit)
            data.update(needs_manual_grading=self.needs_manual_grading, needs_review=self.needs_review)
            data.update(rubric_version=self.rubric_version, judge=self.judge)
            data.update(events=list(self.events), flags=list(self.flags))
            data.update(cells=[cell.to_dict() for cell in self.cells])
            data.update(change=self.change.to_dict() if self.change else None)
            optional = ("raw_score", "needs_manual_grading", "needs_review", "rubric_version", "change")
            _set_document(self, _without_none(data, *optional))

    @classmethod
    def from_json(cls, data: object, where: str = "report") -> StoredReport:
        """The report read from stored JSON; ``CorruptData`` naming the field when no version wrote it so."""
        report = _object(data, where)
        cells = _field(report, "cells", _list, where, default=[])
        change = report.get("change")
        return cls(
            score=_field(report, "score", _number, where),
            max_score=_field(report, "max_score", _number, where),
            raw_score=_field(report, "raw_score", _optional_number, where, default=None),
            on_time=_field(report, "on_time", _flag, where, default=True),
            late_credit=_field(report, "late_credit", _number, where, default=1.0),
            needs_manual_grading=_field(report, "needs_manual_grading", _flag, where, default=None),
            needs_review=_field(report, "needs_review", _flag, where, default=None),
            rubric_version=_field(report, "rubric_version", _text, where, default=None),
            judge=_field(report, "judge", _text, where, default="in-process"),
            events=_field(report, "events", _texts, where, default=()),
            flags=_field(report, "flags", _texts, where, default=()),
            cells=tuple(StoredCell.from_json(c, f"{where}.cells[{i}]") for i, c in enumerate(cells)),
            change=None if change is None else GradeChange.from_json(change, f"{where}.change"),
            document=_dump(report),
        )

    @classmethod
    def of(cls, report: GradeReport) -> StoredReport:
        """A report the grader just made, as the store will read it back."""
        return cls.from_json(report.to_dict())

    def find_cell(self, grade_id: str) -> StoredCell | None:
        return next((cell for cell in self.cells if cell.grade_id == grade_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON as it was written, to store again or show."""
        data: dict[str, Any] = json.loads(self.document)
        return data

    def amended(self, **values: Any) -> StoredReport:
        """This report with ``values`` stored in place of its own (new names after the rest), every
        other key kept as it was stored: how a restatement or a change note makes the next version."""
        return StoredReport.from_json({**self.to_dict(), **values}, "amended report")

    def to_grade_report(self) -> GradeReport:
        """The grader's own report again, to change it (a person's score): recomputed from the cells."""
        return GradeReport(
            cells=tuple(
                CellResult(
                    c.notebook, c.grade_id, c.score, c.max_score, _status(c.status), c.message, c.review or ""
                )
                for c in self.cells
            ),
            max_score=self.max_score,
            rubric_version=self.rubric_version or "",
            events=self.events,
            on_time=self.on_time,
            late_credit=self.late_credit,
            flags=self.flags,
            judge=self.judge,
        )


def _status(status: str) -> CellStatus:
    return status  # type: ignore[return-value]  # stored by a CellResult: one of CellStatus


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(data)


def _set_document(built: object, data: Mapping[str, Any]) -> None:
    object.__setattr__(built, "document", _dump(data))  # frozen: set once, while it is being made


def _without_none(data: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not (k in names and v is None)}


def _field(
    data: Mapping[str, Any], name: str, read: Callable[[object], T], where: str, default: Any = MISSING
) -> T:
    value = data.get(name, MISSING)
    if value is MISSING:
        if default is MISSING:
            raise CorruptData(f"stored {where} has no {name!r}")
        result: T = default
        return result
    try:
        return read(value)
    except TypeError as exc:
        raise CorruptData(f"stored {where}.{name} {exc}: {value!r:.80}") from None


def _object(data: object, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise CorruptData(f"stored {where} is not a JSON object: {data!r:.80}")
    return data


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("is not a number")
    return value


def _optional_number(value: object) -> float | None:
    return None if value is None else _number(value)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("is not a string")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError("is not true or false")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("is not a list")
    return value


def _texts(value: object) -> tuple[str, ...]:
    return tuple(_text(item) for item in _list(value))
