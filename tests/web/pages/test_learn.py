"""The learner's pages (web/pages/learn.py): submitting a notebook, and a refusal explained beside the file field."""

from __future__ import annotations

from flask.testing import FlaskClient

from store import Store
from tests.web.fakes import FakeEnqueuer
from tests.web.notebook_builders import learner_bytes
from tests.web.pages.test_teach import people, post_csrf, upload  # noqa: F401  (people: the autouse fixture)
from tests.web.pages_client import log_in, post_form


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
