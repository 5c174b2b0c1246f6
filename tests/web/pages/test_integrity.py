"""The similar answers pages: staff compare a pair side by side and decide; learners never see them."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient

from store import Store
from tests.web.api.test_integrity import pair_id  # noqa: F401  (a fixture)
from tests.web.pages_client import log_in, post_form


def test_staff_compare_a_pair_and_confirm_it_with_a_reason(
    client: FlaskClient,
    people: None,
    store: Store,
    pair_id: int,  # noqa: F811
) -> None:
    log_in(client, "prof")
    listing = client.get("/teach/integrity").get_data(as_text=True)
    assert "Compare alice and mallory" in listing
    page = client.get(f"/teach/integrity/{pair_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('class="line match"') >= 4 and "def stats" in html
    reply = post_form(
        client,
        f"/teach/integrity/{pair_id}",
        f"/teach/integrity/{pair_id}/review",
        state="confirmed",
        reason="same structure, same odd constants",
        attempt_id="",
    )
    assert reply.status_code == 302
    assert "confirmed" in client.get(f"/teach/integrity/{pair_id}").get_data(as_text=True)
    assert [e.state for e in store.integrity_history("mallory")] == ["confirmed"]


def test_a_decision_without_a_reason_is_explained_beside_the_field_and_stores_nothing(
    client: FlaskClient,
    people: None,
    store: Store,
    pair_id: int,  # noqa: F811
) -> None:
    log_in(client, "prof")
    page = f"/teach/integrity/{pair_id}"
    reply = post_form(client, page, f"{page}/review", state="dismissed", reason=" ", attempt_id="")
    assert reply.status_code == 422
    assert 'id="err-review-reason"' in reply.get_data(as_text=True)
    assert store.get_pair(pair_id).state == "unreviewed" and store.integrity_history("alice") == []


def test_learners_get_403_on_every_similarity_page(
    client: FlaskClient,
    people: None,
    store: Store,
    pair_id: int,  # noqa: F811
) -> None:
    log_in(client, "alice")
    for path in ("/teach/integrity", f"/teach/integrity/{pair_id}", "/teach/integrity.csv"):
        reply = client.get(path)
        assert reply.status_code == 403, path
        assert "mallory" not in reply.get_data(as_text=True)
    posted = post_form(
        client,
        "/learn/",
        f"/teach/integrity/{pair_id}/review",
        state="dismissed",
        reason="mine",
        attempt_id="",
    )
    assert posted.status_code == 403
    assert store.get_pair(pair_id).state == "unreviewed"
    assert "Similar answers" not in client.get("/learn/").get_data(as_text=True)


def test_another_courses_instructor_gets_403_and_an_empty_list(
    client: FlaskClient,
    people: None,
    pair_id: int,  # noqa: F811
) -> None:
    log_in(client, "other-prof")
    assert client.get(f"/teach/integrity/{pair_id}").status_code == 403
    assert "No similar answers found" in client.get("/teach/integrity").get_data(as_text=True)


def test_the_page_offers_the_csv_export(client: FlaskClient, people: None, pair_id: int) -> None:  # noqa: F811
    log_in(client, "prof")
    reply = client.get("/teach/integrity.csv?course=ds101")
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
    assert reply.status_code == 200 and str(pair_id) in {r["pair"] for r in rows}
