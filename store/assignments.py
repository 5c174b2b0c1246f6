"""Assignments and their files: the trusted sources, the learner's release and data files."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from grader.errors import BadInput, Conflict, NotFound
from grader.late import as_utc
from store.models import AssignmentFileRow, AssignmentRow, ExamRow
from store.rows import FILE_KINDS, AssignmentRecord
from store.sessions import SessionScope


def to_assignment_record(row: AssignmentRow) -> AssignmentRecord:
    return AssignmentRecord(
        id=row.id,
        course=row.course,
        name=row.name,
        max_score=row.max_score,
        rubric=list(row.rubric),
        rubric_version=row.rubric_version,
        due_at=row.due_at,
        late_policy=list(row.late_policy),
        is_zip=row.is_zip,
        created_at=row.created_at,
        sandbox_runtime=row.sandbox_runtime,
        exam_attempt_id=row.exam_attempt_id,
        retired_at=row.retired_at,
    )


def file_rows(assignment_id: str, kind: str, files: Mapping[str, bytes]) -> list[AssignmentFileRow]:
    return [
        AssignmentFileRow(
            assignment_id=assignment_id,
            kind=kind,
            path=path,
            content=data,
            sha256=hashlib.sha256(data).hexdigest(),
        )
        for path, data in sorted(files.items())
    ]


class AssignmentStore(SessionScope):
    def add_assignment(
        self,
        course: str,
        name: str,
        sources: Mapping[str, bytes],
        releases: Mapping[str, bytes],
        data_files: Mapping[str, bytes],
        rubric: Sequence[Mapping[str, Any]],
        rubric_version: str,
        max_score: float,
        due_at: datetime | None,
        late_policy: Sequence[Mapping[str, Any]],
        is_zip: bool,
        sandbox_runtime: str | None = None,
        exam_attempt_id: str | None = None,
    ) -> AssignmentRecord:
        """Store the assignment and all its files in one transaction; a second course+name is a Conflict."""
        row = AssignmentRow(
            id=uuid.uuid4().hex,
            course=course,
            name=name,
            max_score=float(max_score),
            rubric=[dict(cell) for cell in rubric],
            rubric_version=rubric_version,
            due_at=as_utc(due_at) if due_at else None,
            late_policy=[dict(step) for step in late_policy],
            is_zip=is_zip,
            sandbox_runtime=sandbox_runtime,
            exam_attempt_id=exam_attempt_id,
        )
        files = [
            *file_rows(row.id, "source", sources),
            *file_rows(row.id, "release", releases),
            *file_rows(row.id, "data", data_files),
        ]
        try:
            with self.transaction() as session:
                session.add(row)
                session.flush()  # the assignment row first: its files point at it
                session.add_all(files)
                session.flush()
                return to_assignment_record(row)
        except Conflict as exc:
            raise Conflict(f"course {course!r} already has an assignment named {name!r}") from exc

    def get_assignment(self, assignment_id: str) -> AssignmentRecord:
        record = self.find_assignment(assignment_id)
        if record is None:
            raise NotFound(f"no assignment with id {assignment_id!r}")
        return record

    def find_assignment(self, assignment_id: str) -> AssignmentRecord | None:
        with self.transaction() as session:
            row = session.get(AssignmentRow, assignment_id)
            return to_assignment_record(row) if row else None

    def find_assignment_by_name(self, course: str, name: str) -> AssignmentRecord | None:
        query = select(AssignmentRow).where(AssignmentRow.course == course, AssignmentRow.name == name)
        with self.transaction() as session:
            row = session.scalars(query).one_or_none()
            return to_assignment_record(row) if row else None

    def list_assignments(self, course: str) -> list[AssignmentRecord]:
        """The course's assignments in the order they were created (an empty list for an unknown course).

        Assignments built for exam attempts are not the course's assignments and are left out.
        """
        query = select(AssignmentRow).where(
            AssignmentRow.course == course, AssignmentRow.exam_attempt_id.is_(None)
        )
        with self.transaction() as session:
            rows = session.scalars(query.order_by(AssignmentRow.created_at, AssignmentRow.name))
            return [to_assignment_record(row) for row in rows]

    def list_courses(self) -> list[str]:
        """Every course that has an assignment or an exam, sorted (courses exist only through them)."""
        assignments = select(AssignmentRow.course).where(AssignmentRow.exam_attempt_id.is_(None))
        with self.transaction() as session:
            return sorted(set(session.scalars(assignments)) | set(session.scalars(select(ExamRow.course))))

    def assignment_files(self, assignment_id: str, kind: str) -> dict[str, bytes]:
        """``{path: content}`` of one kind (source, release or data); raises NotFound for an unknown assignment."""
        if kind not in FILE_KINDS:
            raise BadInput(f"file kind must be one of {', '.join(FILE_KINDS)}, not {kind!r}")
        query = select(AssignmentFileRow.path, AssignmentFileRow.content).where(
            AssignmentFileRow.assignment_id == assignment_id, AssignmentFileRow.kind == kind
        )
        with self.transaction() as session:
            if session.get(AssignmentRow, assignment_id) is None:
                raise NotFound(f"no assignment with id {assignment_id!r}")
            return {
                path: bytes(content)
                for path, content in session.execute(query.order_by(AssignmentFileRow.path))
            }
