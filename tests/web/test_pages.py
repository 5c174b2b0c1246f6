"""The pages' flows with the test client: upload and rubric, the release download, submit, gradebook.

Manual grading, regrading and the CSV exports are in ``test_pages_grading_admin.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from grader.notebooks import parse_notebook
from grader.stored_report import StoredCell, StoredReport
from store import Store
from tests.web.fakes import FakeEnqueuer
from tests.web.notebook_builders import VISIBLE_TEST, learner_bytes, source_bytes
from tests.web.pages_client import csrf_of, log_in, post_form
from web.pages.gradebook import histogram, pass_rates

PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def people(store: Store) -> None:
    store.create_account("instructor", "prof", PASSWORD, ["ds101"])
    store.create_account("learner", "alice", PASSWORD, None)


def upload(client: FlaskClient, content: bytes | None = None, **form: Any) -> Any:
    fields = {"course": "ds101", "name": "hw1", **form}
    return post_form(
        client,
        "/teach/",
        "/teach/assignments",
        (source_bytes() if content is None else content, "hw.ipynb"),
        **fields,
    )


def test_an_uploaded_assignment_shows_its_rubric(client: FlaskClient) -> None:
    log_in(client, "prof")
    reply = upload(client)
    assert reply.status_code == 302
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Rubric" in page and "Download the release" in page and 'id="rubric"' in page
    assert "hw1" in client.get("/teach/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "content", "field", "message"),
    [
        ({"course": ""}, None, "course", "non-empty &#39;course&#39;"),
        ({"course": "ds999"}, None, "course", "does not give access"),
        ({"due": "next tuesday"}, None, "due", "due"),
        ({"late_policy": "[{"}, None, "late_policy", "late_policy: not JSON"),
        (
            {
                "due": "2030-03-01T12:00:00Z",
                "late_policy": '[{"after": "2030-02-01T00:00:00Z", "credit": 50}]',
            },
            None,
            "late_policy",
            "every step must come after the due date",
        ),
        ({}, b"not a notebook", "file", ""),
    ],
)
def test_bad_upload_input_is_shown_next_to_its_field_and_stores_nothing(
    client: FlaskClient, store: Store, form: dict[str, str], content: bytes | None, field: str, message: str
) -> None:
    log_in(client, "prof")
    reply = upload(client, content, **form)
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert f'id="err-{field}"' in html and message in html
    assert f'aria-describedby="err-{field}"' in html
    assert store.list_assignments("ds101") == []


def test_a_duplicate_assignment_name_is_a_message_not_a_500(client: FlaskClient) -> None:
    log_in(client, "prof")
    assert upload(client).status_code == 302
    reply = upload(client)
    assert reply.status_code == 422 and 'id="err-name"' in reply.get_data(as_text=True)


def test_the_release_download_has_stubs_for_solutions_and_no_hidden_tests(client: FlaskClient) -> None:
    log_in(client, "prof")
    assignment_id = upload(client).headers["Location"].rsplit("/", 1)[1]
    url = f"/assignments/{assignment_id}/release"
    as_instructor = client.get(url)
    client.post("/logout", data={"csrf_token": post_csrf(client)})
    log_in(client, "alice")
    assert f'href="{url}"' in client.get(f"/learn/assignments/{assignment_id}").get_data(as_text=True)
    as_learner = client.get(url)
    for reply in (as_instructor, as_learner):
        assert reply.status_code == 200 and reply.mimetype == "application/x-ipynb+json"
        assert reply.headers["Content-Disposition"] == "attachment; filename=hw.ipynb"
    assert as_learner.data == as_instructor.data
    release = parse_notebook(as_learner.data, "hw.ipynb")
    assert [(cell.metadata.nbgrader.grade_id, cell.source) for cell in release.cells] == [
        ("answer", "# YOUR CODE HERE\nraise NotImplementedError()"),
        ("test_answer", VISIBLE_TEST),
    ]


def test_a_learner_submits_and_sees_the_submission_queued(
    client: FlaskClient, store: Store, enqueuer: FakeEnqueuer
) -> None:
    log_in(client, "prof")
    assignment_id = upload(client).headers["Location"].rsplit("/", 1)[1]
    client.post("/logout", data={"csrf_token": post_csrf(client)})
    log_in(client, "alice")
    assert "hw1" in client.get("/learn/").get_data(as_text=True)
    page = f"/learn/assignments/{assignment_id}"
    reply = post_form(client, page, page, (learner_bytes(), "hw.ipynb"))
    assert reply.status_code == 302
    submission_id = reply.headers["Location"].rsplit("/", 1)[1]
    assert store.get_submission(submission_id).learner == "alice"
    assert enqueuer.calls[-1] == (submission_id, "assignments")
    html = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert 'data-status="queued"' in html and "data-poll-url" in html


def test_a_refused_submission_is_explained_beside_the_file_field(client: FlaskClient, store: Store) -> None:
    log_in(client, "prof")
    assignment_id = upload(client).headers["Location"].rsplit("/", 1)[1]
    client.post("/logout", data={"csrf_token": post_csrf(client)})
    log_in(client, "alice")
    page = f"/learn/assignments/{assignment_id}"
    reply = post_form(client, page, page, (b"{broken", "hw.ipynb"))
    assert reply.status_code == 422 and 'id="err-file"' in reply.get_data(as_text=True)
    assert store.list_submissions() == []


def post_csrf(client: FlaskClient) -> str:
    return csrf_of(client, "/teach/")


def test_the_histogram_puts_a_full_score_in_the_last_bin_and_scales_to_the_tallest() -> None:
    bars = histogram([0, 1, 2, 2, 2], max_score=2, bins=4)
    assert [b.count for b in bars] == [1, 0, 1, 3]
    assert bars[3].height > bars[0].height > 0 and bars[1].height == 0


def test_a_small_whole_maximum_gets_a_bar_per_point() -> None:
    bars = histogram([0, 6, 5, 9, 9], max_score=9)
    assert [b.label for b in bars] == [str(i) for i in range(10)]
    assert [b.count for b in bars] == [1, 0, 0, 0, 0, 1, 1, 0, 0, 2]


def test_pass_rates_flag_a_test_most_learners_fail() -> None:
    rubric = [
        {"notebook": "hw", "grade_id": "easy", "points": 1, "kind": "test"},
        {"notebook": "hw", "grade_id": "hard", "points": 1, "kind": "test"},
        {"notebook": "hw", "grade_id": "essay", "points": 2, "kind": "manual"},
    ]

    def report(easy: float, hard: float) -> StoredReport:
        cells = (StoredCell("hw", "easy", easy, 1, "partial"), StoredCell("hw", "hard", hard, 1, "partial"))
        return StoredReport(easy + hard, 2, cells=cells)

    rates = pass_rates(rubric, [report(1, 0), report(1, 0), report(1, 1)])
    assert [(r.grade_id, r.passed, r.graded, r.stands_out) for r in rates] == [
        ("easy", 3, 3, False),
        ("hard", 1, 3, True),
    ]
