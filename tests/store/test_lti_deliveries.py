"""LTI score rows (store/lti_deliveries.py), on SQLite and PostgreSQL: one per platform course the
assignment is linked to on the learner's own platform (a launch's line item winning over a
deep-link placement's query), none for a local learner, another platform or another assignment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from service.lti_registrations import register_platform
from store import AssignmentRecord, Store, SubmissionRecord
from store.lti_deliveries import add_score_deliveries
from store.models import SubmissionRow
from tests.store.test_lti import FIELDS

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


def rows_for(store: Store, submission: SubmissionRecord) -> list[tuple[str, str, str | None]]:
    with store.transaction(write=True) as session:
        rows = add_score_deliveries(session, session.get(SubmissionRow, submission.id), None, 1, NOW)
        return [(row.platform_id, row.url, row.payload.get("userId")) for row in rows]


def linked(store: Store, assignment: AssignmentRecord) -> None:
    register_platform(store, FIELDS)
    register_platform(store, {**FIELDS, "id": "other", "issuer": "https://other.example"})
    rid = f"assignment:{assignment.id}"
    for context in ("fall", "spring"):
        store.place_deep_link(
            "lms", context, "assignment", assignment.id, rid, f"https://lms.example/{context}/li", NOW
        )
    store.record_line_item("lms", "spring", assignment.id, "https://lms.example/spring/li/7")
    store.record_line_item("lms", "summer", assignment.id, "https://lms.example/summer/li/8")


def test_a_score_row_per_linked_platform_course_a_launch_winning_over_a_placement(
    store: Store, assignment: AssignmentRecord, make_submission: Callable[..., SubmissionRecord]
) -> None:
    linked(store, assignment)
    assert rows_for(store, make_submission("lti:lms:u1")) == [
        ("lti:lms", f"https://lms.example/fall/li?resource_id=assignment%3A{assignment.id}", "u1"),
        ("lti:lms", "https://lms.example/spring/li/7/scores", "u1"),
        ("lti:lms", "https://lms.example/summer/li/8/scores", "u1"),
    ]


def test_no_row_for_a_local_learner_another_platform_or_another_assignment(
    store: Store,
    assignment: AssignmentRecord,
    make_assignment: Callable[..., AssignmentRecord],
    make_submission: Callable[..., SubmissionRecord],
) -> None:
    linked(store, assignment)
    assert rows_for(store, make_submission("alice")) == []
    assert rows_for(store, make_submission("lti:other:u1")) == []
    assert rows_for(store, make_submission("lti:nosuch:u1")) == []
    unlinked = make_assignment(name="hw2")
    work = store.add_submission(unlinked.id, "lti:lms:u1", "hw.ipynb", b"nb", NOW, True, 1.0)
    assert rows_for(store, work) == []
    assert store.list_deliveries(platform_id="lti:lms") == []
