"""The learner's records page: the record explained, share links made (shown once), opened and revoked."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from store import Store
from tests.web.pages_client import csrf_of, log_in, post_form
from tests.web.test_records_api import graded  # noqa: F401  (the fixture)

PASSWORD = "correct horse"


def test_a_learner_sees_their_record_and_manages_share_links(
    client: FlaskClient, store: Store, graded: Callable[[float], str]  # noqa: F811
) -> None:
    store.create_account("learner", "alice", PASSWORD, None)
    store.create_account("learner", "bob", PASSWORD, None)
    graded(2.0)
    log_in(client, "alice")
    page = client.get("/learn/records").get_data(as_text=True)
    assert "MicroMasters in Data Science for alice" in page and "ds101" in page
    made = post_form(client, "/learn/records", "/learn/records/mm-ds/shares", label="admissions")
    assert made.status_code == 200
    url = re.search(r'id="new-link-url" readonly value="([^"]+)"', made.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    path = url.split("localhost", 1)[1]
    assert client.get(path).status_code == 200  # the signed record, for whoever holds the link
    listing = client.get("/learn/records").get_data(as_text=True)
    assert "admissions" in listing and "1 time" in listing and url not in listing  # shown once only
    share_id = store.list_shares("mm-ds", "alice")[0]["id"]
    assert post_form(client, "/learn/records", f"/learn/records/mm-ds/shares/{share_id}/revoke").status_code == 302
    assert client.get(path).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_of(client, "/learn/")})
    log_in(client, "bob")
    assert "MicroMasters in Data Science for alice" not in client.get("/learn/records").get_data(as_text=True)
    reply = post_form(client, "/learn/records", f"/learn/records/mm-ds/shares/{share_id}/revoke")
    assert reply.status_code == 404
