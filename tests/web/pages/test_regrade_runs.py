"""The assignment-wide regrade run on the pages (web/pages/regrade_runs.py): opened, compared, accepted or discarded, by staff of the course only."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from store import Store
from tests.web.fakes import FakeEnqueuer
from tests.web.notebook_builders import source_bytes
from tests.web.pages.test_assignment_terms import page_of
from tests.web.pages_client import log_in, post_form
from tests.web.reports import grade, report


def test_a_regrade_run_is_opened_compared_and_accepted_from_the_pages(
    client: FlaskClient,
    people: None,
    assignment: dict[str, Any],
    post_submission: Callable[..., Any],
    store: Store,
    enqueuer: FakeEnqueuer,
) -> None:
    sid = post_submission().json["id"]
    grade(store, sid, 0.0)
    log_in(client, "prof")
    page = page_of(assignment)
    opened = post_form(
        client, page, f"{page}/regrades", (source_bytes(3), "hw-fixed.ipynb"), reason="the test was wrong"
    )
    assert opened.status_code == 302, opened.get_data(as_text=True)
    run_page = opened.headers["Location"]
    [(run_id, queued)] = enqueuer.regrades
    assert queued == sid and run_page.endswith(f"/teach/regrades/{run_id}")
    waiting = client.get(run_page).get_data(as_text=True)
    assert "0 of 1" in waiting and 'id="accept-form"' not in waiting  # nothing to accept until it is done
    store.save_regrade_result(run_id, sid, report(2.0), "<p class='badge'>Score: 2 / 2</p>", {}, None)
    done = client.get(run_page).get_data(as_text=True)
    row = re.search(r"<tr id=\"run-alice\"[^>]*>(.*?)</tr>", done, re.S)
    assert row and re.sub(r"<[^>]+>", " ", row.group(1)).split() == ["alice", "graded", "0", "2", "+2"]
    accepted = post_form(client, run_page, f"{run_page}/accept")
    assert accepted.status_code == 302
    assert store.get_submission(sid).score == 2.0
    assert "accepted" in client.get(run_page).get_data(as_text=True)
    assert "the test was wrong" in client.get(page).get_data(
        as_text=True
    )  # the run is listed on the assignment


def test_a_regrade_run_can_be_discarded_and_a_broken_fix_is_refused_beside_the_file(
    client: FlaskClient,
    people: None,
    assignment: dict[str, Any],
    post_submission: Callable[..., Any],
    store: Store,
) -> None:
    sid = post_submission().json["id"]
    grade(store, sid, 2.0)
    log_in(client, "prof")
    page = page_of(assignment)
    broken = post_form(client, page, f"{page}/regrades", (b"not a notebook", "hw.ipynb"), reason="fix")
    assert broken.status_code == 422 and 'id="err-regrade-file"' in broken.get_data(as_text=True)
    no_reason = post_form(client, page, f"{page}/regrades", reason="")
    assert no_reason.status_code == 422 and 'id="err-regrade-reason"' in no_reason.get_data(as_text=True)
    run_page = post_form(client, page, f"{page}/regrades", reason="just checking").headers["Location"]
    discarded = post_form(client, run_page, f"{run_page}/discard")
    assert discarded.status_code == 302 and "discarded" in client.get(run_page).get_data(as_text=True)
    assert store.get_submission(sid).score == 2.0


def test_another_courses_instructor_cannot_see_a_regrade_run(
    client: FlaskClient,
    people: None,
    assignment: dict[str, Any],
    post_submission: Callable[..., Any],
    store: Store,
    instructor: dict[str, str],
) -> None:
    grade(store, post_submission().json["id"], 2.0)
    run = client.post(
        f"/api/v1/assignments/{assignment['id']}/regrades", headers=instructor, data={"reason": "r"}
    ).json
    log_in(client, "other-prof")
    assert client.get(f"/teach/regrades/{run['id']}").status_code == 403
