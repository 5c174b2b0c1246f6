"""An assignment made for one exam attempt's questions: the kind the assignment API lists, changes and retires never."""

from __future__ import annotations

from store import AssignmentRecord, Store


def add_attempt_assignment(store: Store) -> AssignmentRecord:
    return store.add_assignment(
        course="ds101",
        name="attempt-x",
        sources={},
        releases={},
        data_files={},
        rubric=[],
        rubric_version="v",
        max_score=1.0,
        due_at=None,
        late_policy=[],
        is_zip=False,
        exam_attempt_id="attempt-x",
    )
