"""LTI registrations, logins and line items in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from grader.errors import Conflict, InvalidLaunch, NotFound
from service.lti_registrations import register_platform
from store import AssignmentRecord, LtiLoginRecord, Store, SubmissionRecord
from tests.builders import report_cell, report_dict

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
FIELDS = {
    "id": "lms",
    "issuer": "https://lms.example",
    "client_id": "tool",
    "auth_login_url": "https://lms.example/auth",
    "token_url": "https://lms.example/token",
    "jwks_url": "https://lms.example/jwks",
    "deployment_ids": ["1", "1", "2"],
    "courses": ["ds101"],
}


def test_a_registration_keeps_its_deployments_once_each(store: Store) -> None:
    record = register_platform(store, FIELDS)
    assert record.deployment_ids == ("1", "2")
    assert store.add_lti_deployment("lms", "3").deployment_ids == ("1", "2", "3")
    assert store.list_lti_registrations("https://lms.example") == [store.get_lti_registration("lms")]
    with pytest.raises(NotFound):
        store.add_lti_deployment("nobody", "1")
    with pytest.raises(Conflict):
        register_platform(store, {**FIELDS, "id": "again"})


def test_a_registration_s_token_audience_is_set_and_cleared_touching_nothing_else(store: Store) -> None:
    """On both databases (the column came by migration 0023), and NotFound leaves no row behind."""
    registered = register_platform(store, FIELDS)
    assert registered.assertion_audience == FIELDS["token_url"]
    audience = "https://api.brightspace.com/auth/token"
    changed = store.set_lti_token_audience("lms", audience)
    assert changed == store.get_lti_registration("lms") == replace(registered, token_audience=audience)
    assert changed.assertion_audience == audience
    assert store.set_lti_token_audience("lms", None) == registered
    with pytest.raises(NotFound):
        store.set_lti_token_audience("nobody", audience)
    assert [record.id for record in store.list_lti_registrations()] == ["lms"]


def test_a_login_is_used_once_and_never_after_it_expires(store: Store) -> None:
    register_platform(store, FIELDS)
    store.start_lti_login(LtiLoginRecord("s1", "n1", "lms", NOW + timedelta(minutes=10)), NOW)
    store.start_lti_login(LtiLoginRecord("s2", "n2", "lms", NOW + timedelta(minutes=10)), NOW)
    assert store.use_lti_login("s1", NOW).nonce == "n1"
    with pytest.raises(InvalidLaunch, match="already used"):
        store.use_lti_login("s1", NOW)
    with pytest.raises(InvalidLaunch, match="expired"):
        store.use_lti_login("s2", NOW + timedelta(minutes=11))
    with pytest.raises(InvalidLaunch, match="no login"):
        store.use_lti_login("s3", NOW)
    with pytest.raises(Conflict):  # a nonce is never issued twice
        store.start_lti_login(LtiLoginRecord("s4", "n1", "lms", NOW + timedelta(minutes=10)), NOW)


def test_an_lti_learners_grade_writes_one_score_per_linked_course(
    store: Store, assignment: AssignmentRecord, make_submission: Callable[..., SubmissionRecord]
) -> None:
    register_platform(store, FIELDS)
    for context in ("fall", "spring"):  # one course of ours linked to two platform courses
        store.record_line_item("lms", context, assignment.id, f"https://lms.example/{context}/li?x=1")
    store.record_line_item("lms", "fall", assignment.id, "https://lms.example/fall/li2")  # the newest wins
    submission = make_submission(learner="lti:lms:u1")
    store.claim_submission(submission.id)
    report = report_dict(report_cell("t", 2.0, 2.0, "passed"), score=2.0, max_score=2.0)
    assert store.save_grade(submission.id, report, "", {})
    rows = store.list_deliveries(platform_id="lti:lms")
    assert sorted(row.url for row in rows) == [
        "https://lms.example/fall/li2/scores",
        "https://lms.example/spring/li/scores?x=1",
    ]
    assert {row.payload["userId"] for row in rows} == {"u1"}
    assert store.delivery_counts("lti:") == {"pending": 2}
    assert store.delivery_counts("lti\\") == {}


def test_an_item_placed_by_deep_linking_asks_for_a_line_item_once_per_platform_course(
    store: Store, assignment: AssignmentRecord
) -> None:
    register_platform(store, FIELDS)
    rid = f"assignment:{assignment.id}"
    place = lambda context: store.place_deep_link(  # noqa: E731
        "lms", context, "assignment", assignment.id, rid, f"https://lms.example/{context}/lineitems", NOW
    )
    assert [place("fall"), place("fall"), place("spring"), place("fall")] == [True, False, True, False]
    store.record_line_item("lms", "summer", assignment.id, "https://lms.example/summer/li")
    assert place("summer") is False  # a launch already named its line item there


def test_a_deep_linked_assignments_grade_asks_the_container_by_resource_id_until_launched(
    store: Store, assignment: AssignmentRecord, make_submission: Callable[..., SubmissionRecord]
) -> None:
    register_platform(store, FIELDS)
    rid = f"assignment:{assignment.id}"
    store.place_deep_link(
        "lms", "fall", "assignment", assignment.id, rid, "https://lms.example/li?c=fall", NOW
    )
    store.place_deep_link(
        "lms", "spring", "assignment", assignment.id, rid, "https://lms.example/spring/li", NOW
    )
    store.record_line_item(
        "lms", "spring", assignment.id, "https://lms.example/spring/li/7"
    )  # launched there
    submission = make_submission(learner="lti:lms:u1")
    store.claim_submission(submission.id)
    assert store.save_grade(submission.id, report_dict(report_cell("t", 2.0, 2.0, "passed")), "", {})
    assert sorted(row.url for row in store.list_deliveries(platform_id="lti:lms")) == [
        f"https://lms.example/li?c=fall&resource_id=assignment%3A{assignment.id}",
        "https://lms.example/spring/li/7/scores",
    ]
