"""The instructor's pages (web/pages/teach.py) with the test client: upload and rubric, the release download.

Submitting is in ``test_learn.py``; manual grading, regrading and the CSV exports from a
submission's page are in ``test_submissions.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from grader.notebooks import parse_notebook
from store import Store
from tests.web.notebook_builders import VISIBLE_TEST, source_bytes
from tests.web.pages_client import csrf_of, log_in, post_form

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


def post_csrf(client: FlaskClient) -> str:
    return csrf_of(client, "/teach/")
