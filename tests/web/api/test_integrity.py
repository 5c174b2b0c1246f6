"""The similar pairs API: staff of the course only, ranked, reviewable, exported; learners never."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from grader.notebooks import dump_notebook
from service.integrity import check_submission
from service.settings import Settings
from store import Store
from tests.integrity.corpus import NOTEBOOK, disguise, notebook
from tests.service.test_integrity import NOW, TRUSTED, add_assignment, solutions

ADMIN = {"Authorization": "Bearer admin-secret"}
Headers = dict[str, str]


@pytest.fixture
def pair_id(store: Store) -> int:
    """alice's work, mallory's disguised copy of it, bob's own: one pair in ds101."""
    record = add_assignment(store, course="ds101")
    alice, bob = solutions(2)
    rng = random.Random(4)
    work = {"alice": alice, "mallory": disguise(alice, rng, ("rename", "comments")), "bob": bob}
    for learner, solution in work.items():
        data = dump_notebook(notebook(TRUSTED.releases[NOTEBOOK], solution, rng))
        submission = store.add_submission(record.id, learner, NOTEBOOK, data, NOW, True, 1.0)
        check_submission(store, Settings(data_dir="/nonexistent"), submission.id, TRUSTED, NOW)
    flagged = [p for p in store.list_pairs() if p.score >= 0.35]
    assert len(flagged) == 1
    return flagged[0].id


def test_staff_see_the_pairs_ranked_with_both_answers_and_spans(
    client: FlaskClient, instructor: Headers, pair_id: int
) -> None:
    listed = client.get("/api/v1/integrity/pairs", headers=instructor).get_json()["pairs"]
    assert listed[0]["id"] == pair_id
    assert [p["score"] for p in listed] == sorted((p["score"] for p in listed), reverse=True)
    detail = client.get(f"/api/v1/integrity/pairs/{pair_id}", headers=instructor).get_json()
    assert (detail["a"]["learner"], detail["b"]["learner"], detail["state"]) == (
        "alice",
        "mallory",
        "unreviewed",
    )
    stats = next(a for a in detail["answers"] if a["key"] == "hw.ipynb::stats")
    assert stats["spans"] and "def stats" in stats["a_text"] and "def stats" in stats["b_text"]


@pytest.mark.parametrize("who", ["learner", "platform"])
def test_learners_and_platforms_are_refused_every_route(
    client: FlaskClient, token: Callable[..., Headers], pair_id: int, who: str
) -> None:
    headers = token(who, "alice", ["ds101"])
    for path in (
        "/integrity/pairs",
        "/integrity/pairs.csv",
        f"/integrity/pairs/{pair_id}",
        "/integrity/learners/alice/history",
    ):
        assert client.get(f"/api/v1{path}", headers=headers).status_code == 403, path
    review = client.post(
        f"/api/v1/integrity/pairs/{pair_id}/review",
        json={"state": "dismissed", "reason": "x"},
        headers=headers,
    )
    assert review.status_code == 403


def test_another_courses_instructor_sees_nothing_of_it(
    client: FlaskClient, token: Callable[..., Headers], pair_id: int
) -> None:
    other = token("instructor", "other-prof", ["ds999"])
    assert client.get("/api/v1/integrity/pairs", headers=other).get_json() == {"pairs": []}
    assert client.get(f"/api/v1/integrity/pairs/{pair_id}", headers=other).status_code == 403
    assert client.get("/api/v1/integrity/pairs?course=ds101", headers=other).status_code == 403


def test_a_review_with_a_reason_lands_in_both_histories(
    client: FlaskClient, instructor: Headers, pair_id: int
) -> None:
    sent = client.post(
        f"/api/v1/integrity/pairs/{pair_id}/review",
        json={"state": "confirmed", "reason": "same odd structure"},
        headers=instructor,
    )
    assert sent.status_code == 200
    assert (sent.get_json()["state"], sent.get_json()["reviewer"]) == ("confirmed", "prof")
    for learner in ("alice", "mallory"):
        (event,) = client.get(f"/api/v1/integrity/learners/{learner}/history", headers=instructor).get_json()[
            "events"
        ]
        assert (event["pair_id"], event["state"], event["reason"]) == (
            pair_id,
            "confirmed",
            "same odd structure",
        )
    unreviewed = client.get("/api/v1/integrity/pairs?state=unreviewed", headers=instructor).get_json()[
        "pairs"
    ]
    confirmed = client.get("/api/v1/integrity/pairs?state=confirmed", headers=instructor).get_json()["pairs"]
    assert pair_id not in [p["id"] for p in unreviewed] and [p["id"] for p in confirmed] == [pair_id]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"state": "confirmed", "reason": ""}, 400),
        ({"state": "guilty", "reason": "x"}, 400),
        ({"state": 3, "reason": "x"}, 400),
        ({"state": "confirmed", "reason": "x", "attempt_id": "nope"}, 404),
        (["not", "an", "object"], 400),
    ],
)
def test_bad_reviews_are_refused_and_change_nothing(
    client: FlaskClient, instructor: Headers, pair_id: int, body: object, status: int
) -> None:
    reply = client.post(f"/api/v1/integrity/pairs/{pair_id}/review", json=body, headers=instructor)
    assert reply.status_code == status and "error" in reply.get_json()
    assert (
        client.get(f"/api/v1/integrity/pairs/{pair_id}", headers=instructor).get_json()["state"]
        == "unreviewed"
    )
    assert (
        client.get("/api/v1/integrity/learners/alice/history", headers=instructor).get_json()["events"] == []
    )


def test_an_unknown_pair_is_404_and_a_bad_state_filter_400(client: FlaskClient, instructor: Headers) -> None:
    assert client.get("/api/v1/integrity/pairs/12345", headers=instructor).status_code == 404
    too_wide = client.get(f"/api/v1/integrity/pairs/{2**80}", headers=instructor)  # the fuzzer's 500
    assert too_wide.status_code == 404 and too_wide.get_json()["error"] == "not_found"
    assert client.get("/api/v1/integrity/pairs?state=bad", headers=instructor).status_code == 400


def test_the_csv_export_lists_the_pairs_with_their_review(
    client: FlaskClient, instructor: Headers, pair_id: int
) -> None:
    client.post(
        f"/api/v1/integrity/pairs/{pair_id}/review",
        json={"state": "dismissed", "reason": "=shared tutorial"},
        headers=instructor,
    )
    reply = client.get("/api/v1/integrity/pairs.csv?course=ds101", headers=instructor)
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    assert "ds101-similar-pairs.csv" in reply.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
    first = next(r for r in rows if r["pair"] == str(pair_id))
    assert (first["learner_a"], first["learner_b"], first["state"]) == ("alice", "mallory", "dismissed")
    assert first["reason"] == "'=shared tutorial"  # a spreadsheet never runs it as a formula
    assert float(first["score"]) >= 0.35
