"""Regrade runs through the API with an in-memory queue: what is queued, what is refused."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from store import Store
from tests.web.fakes import FakeEnqueuer
from tests.web.notebook_builders import source_bytes
from tests.web.reports import grade, report


def graded_submission(post_submission: Callable[..., Any], store: Store) -> str:
    sid = str(post_submission().json["id"])
    store.claim_submission(sid)
    assert store.save_grade(sid, {"score": 2.0, "max_score": 2.0, "cells": []}, "", {})
    return sid


def test_a_run_queues_every_graded_submission_and_waits_before_it_can_be_accepted(
    client: FlaskClient,
    assignment: dict[str, Any],
    post_submission: Callable[..., Any],
    store: Store,
    instructor: dict[str, str],
    enqueuer: FakeEnqueuer,
    alice: dict[str, str],
) -> None:
    sid = graded_submission(post_submission, store)
    url = f"/api/v1/assignments/{assignment['id']}/regrades"
    assert client.post(url, headers=instructor, data={}).status_code == 400  # no reason
    assert client.post(url, headers=alice, data={"reason": "x"}).status_code == 403
    broken = client.post(
        url,
        headers=instructor,
        data={"reason": "fix", "file": (io.BytesIO(b"not a notebook"), "hw.ipynb")},
        content_type="multipart/form-data",
    )
    assert broken.status_code in (400, 422)
    opened = client.post(
        url,
        headers=instructor,
        data={"reason": "fix", "file": (io.BytesIO(source_bytes(3)), "hw.ipynb")},
        content_type="multipart/form-data",
    )
    assert opened.status_code == 202, opened.json
    run = opened.json
    assert (run["total"], run["done"], run["new_source"]) == (1, 0, True)
    assert enqueuer.regrades == [(run["id"], sid)]
    early = client.post(f"/api/v1/regrades/{run['id']}/accept", headers=instructor)
    assert early.status_code == 409 and "still re-running" in early.json["message"]
    discarded = client.post(f"/api/v1/regrades/{run['id']}/discard", headers=instructor).json
    assert discarded["status"] == "discarded"
    assert client.post(f"/api/v1/regrades/{run['id']}/accept", headers=instructor).status_code == 409
    assert store.get_submission(sid).score == 2.0


def test_a_fix_sent_under_another_file_name_keeps_the_assignments_notebook(
    client: FlaskClient,
    assignment: dict[str, Any],
    post_submission: Callable[..., Any],
    store: Store,
    instructor: dict[str, str],
) -> None:
    sid = str(post_submission().json["id"])
    grade(store, sid, 2.0)
    url = f"/api/v1/assignments/{assignment['id']}/regrades"
    opened = client.post(
        url,
        headers=instructor,
        content_type="multipart/form-data",
        data={"reason": "typo in the prose", "file": (io.BytesIO(source_bytes()), "hw-fixed.ipynb")},
    )
    assert opened.status_code == 202, opened.json
    store.save_regrade_result(
        opened.json["id"], sid, report(2.0), "", {}, None
    )  # alice's grade does not change
    assert (
        client.post(f"/api/v1/regrades/{opened.json['id']}/accept", headers=instructor).json["changed"] == 0
    )
    assert client.get(f"/api/v1/assignments/{assignment['id']}", headers=instructor).json["notebooks"] == [
        "hw.ipynb"
    ]
    release = client.get(f"/api/v1/assignments/{assignment['id']}/release", headers=instructor)
    assert "hw.ipynb" in release.headers["Content-Disposition"]
    gradebook = client.get(
        f"/api/v1/assignments/{assignment['id']}/gradebook.csv", headers=instructor
    ).get_data(as_text=True)
    header, alice = (line.split(",") for line in gradebook.splitlines()[:2])
    assert dict(zip(header, alice, strict=True))["test_answer"] == "2"
