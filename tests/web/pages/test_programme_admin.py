"""Staff programme records: programmes, learners' records, one record explained with its verified history,
overrides and freezes with a reason, exports; a broken hash chain shown as broken."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from sqlalchemy import text

from store import Store
from tests.web.api.test_records import PROGRAMME, graded  # noqa: F401  (the fixture)
from tests.web.conftest import PASSWORD
from tests.web.pages_client import csrf_of, log_in, post_form

RECORD = "/teach/programmes/mm-ds/records/alice"


@pytest.fixture
def recorded(people: None, graded: Callable[[float], str]) -> None:
    """alice has one graded assignment in ds101, which feeds programme mm-ds."""
    graded(2.0)


def test_staff_see_programmes_learners_and_one_record_explained(client: FlaskClient, recorded: None) -> None:
    log_in(client, "prof")
    assert "/teach/programmes/mm-ds" in client.get("/teach/programmes/").get_data(as_text=True)
    table = client.get("/teach/programmes/mm-ds").get_data(as_text=True).split('id="learners"')[1]
    assert "alice" in table and "100 (A)" in table and "complete" in table
    page = client.get(RECORD).get_data(as_text=True)
    assert "MicroMasters in Data Science for alice" in page and "hash chain verified (1 events)" in page
    exported = client.get(f"{RECORD}/export.json")
    assert exported.status_code == 200 and json.loads(exported.data)
    assert client.get(f"{RECORD}/export.csv").status_code == 200


def test_overrides_and_freezes_need_a_reason_and_bad_values_change_nothing(
    client: FlaskClient, recorded: None, store: Store
) -> None:
    log_in(client, "prof")
    for form, field in (
        ({"course": "ds101", "value": "80", "reason": ""}, "override-reason"),
        ({"course": "ds101", "value": "150", "reason": "appeal"}, "override-value"),
        ({"course": "ds101", "value": "abc", "reason": "appeal"}, "override-value"),
    ):
        bad = post_form(client, RECORD, f"{RECORD}/overrides", **form)
        assert bad.status_code == 422 and f'id="err-{field}"' in bad.get_data(as_text=True), form
    no_reason = post_form(client, RECORD, f"{RECORD}/freeze", reason=" ")
    assert no_reason.status_code == 422 and 'id="err-freeze-reason"' in no_reason.get_data(as_text=True)
    assert len(store.record_history("mm-ds", "alice")) == 1
    assert (
        post_form(
            client, RECORD, f"{RECORD}/overrides", course="ds101", value="75", reason="appeal upheld"
        ).status_code
        == 302
    )
    assert post_form(client, RECORD, f"{RECORD}/freeze", reason="term closed").status_code == 302
    page = client.get(RECORD).get_data(as_text=True)
    assert "overridden" in page and "appeal upheld" in page and "term closed" in page and "frozen" in page
    assert [e.kind for e in store.record_history("mm-ds", "alice")] == ["grade", "override", "freeze"]


def test_a_broken_hash_chain_is_shown_and_no_record_is_computed(
    client: FlaskClient,
    recorded: None,
    store: Store,
    graded: Callable[[float], str],
) -> None:
    graded(1.0)
    with store.engine.begin() as connection:
        connection.execute(
            text("UPDATE record_events SET body = :body WHERE seq = 1"),
            {"body": json.dumps({"course": "ds101", "item": "hw1", "score": 2.0})},
        )
    log_in(client, "prof")
    page = client.get(RECORD).get_data(as_text=True)
    assert "hash chain broken at event 1" in page and 'id="broken"' in page and 'id="explanation"' not in page
    assert "history broken" in client.get("/teach/programmes/mm-ds").get_data(as_text=True)
    assert client.get(f"{RECORD}/export.json").status_code == 409


def test_learners_and_instructors_of_other_courses_cannot_see_or_change_records(
    client: FlaskClient, recorded: None, store: Store
) -> None:
    pages = (
        "/teach/programmes/",
        "/teach/programmes/mm-ds",
        RECORD,
        f"{RECORD}/export.json",
        f"{RECORD}/export.csv",
    )
    posts = (
        (f"{RECORD}/overrides", {"course": "ds101", "value": "0", "reason": "mine"}),
        (f"{RECORD}/freeze", {"reason": "mine"}),
    )
    log_in(client, "alice")
    for page in pages:
        assert client.get(page).status_code == 403, page
    for url, form in posts:
        assert post_form(client, "/learn/", url, **form).status_code in (403, 404), url
    log_in(client, "other-prof")
    assert "mm-ds" not in client.get("/teach/programmes/").get_data(as_text=True)
    for page in pages[1:]:
        assert client.get(page).status_code == 403, page
    for url, form in posts:
        assert post_form(client, "/teach/", url, **form).status_code == 403, url
    log_in(client, "prof")
    for url, form in posts:
        assert client.post(url, data=form).status_code == 403, url  # no CSRF token
    assert len(store.record_history("mm-ds", "alice")) == 1


def upload_spec(client: FlaskClient, spec: bytes) -> Any:
    page = "/teach/programmes/"
    data = {"csrf_token": csrf_of(client, page), "spec": (io.BytesIO(spec), "programme.yaml")}
    return client.post(page, data=data, content_type="multipart/form-data")


def test_an_admin_uploads_a_programme_and_every_problem_of_a_bad_one_is_listed(
    client: FlaskClient, people: None, store: Store
) -> None:
    store.create_account("admin", "dean", PASSWORD, None)
    log_in(client, "dean")
    assert 'id="upload-programme"' in client.get("/teach/programmes/").get_data(as_text=True)
    refused = upload_spec(
        client, yaml.safe_dump({**PROGRAMME, "id": "Bad Id", "electives_needed": -1}).encode()
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="problems-spec"' in html
    assert "Bad Id" in html and "electives_needed" in html  # each problem, not only the first
    assert store.list_programmes() == []
    good = upload_spec(client, yaml.safe_dump(PROGRAMME).encode())
    assert good.status_code == 302 and good.headers["Location"].endswith("/teach/programmes/mm-ds")
    assert store.list_programmes() == ["mm-ds"]
    again = upload_spec(client, yaml.safe_dump(PROGRAMME).encode())
    assert again.status_code == 422 and 'id="err-spec"' in again.get_data(as_text=True)
    assert store.list_programmes() == ["mm-ds"]


def test_only_an_admin_may_upload_a_programme(client: FlaskClient, people: None, store: Store) -> None:
    log_in(client, "prof")
    assert 'id="upload-programme"' not in client.get("/teach/programmes/").get_data(as_text=True)
    assert upload_spec(client, yaml.safe_dump(PROGRAMME).encode()).status_code == 403
    assert store.list_programmes() == []


def test_a_programme_needing_more_electives_than_it_lists_is_refused_beside_the_spec(
    client: FlaskClient, people: None, store: Store
) -> None:
    store.create_account("admin", "dean", PASSWORD, None)
    log_in(client, "dean")
    refused = upload_spec(
        client, yaml.safe_dump({**PROGRAMME, "id": "Bad Id", "electives_needed": 2}).encode()
    )
    html = refused.get_data(as_text=True).split('id="problems-spec"')[1].split("</ul>")[0]
    assert refused.status_code == 422 and "Bad Id" in html  # with the other problems, not after them
    assert "the programme requires 2 electives but lists none (required: false)" in html
    assert store.list_programmes() == []
