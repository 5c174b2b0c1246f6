"""Every API route, called by every outsider, about one learner's real work: nothing leaks, nothing is written.

Each feature's tests check its own refusals; this one walks the whole API as an attacker
would, so a route added without its course or owner check is caught here even when its
own tests forgot. The world is one course (ds101) with alice's graded submission, exam
attempt, programme record, share link, regrade run and request, ledger entry, platform,
integrity pair and LTI registration. The outsiders:

- ``stranger``: an instructor of another course (ds999);
- ``bob``: a learner of the same course, reaching for alice's work;
- ``mallory``: a learner of another course;
- ``foreign_platform``: a platform registered for ds999.

Every route with every outsider must answer a 4xx (never a 2xx, never a 5xx) and leave
every table as it was, except routes whose answer is legitimately the caller's own (a
list filtered to what they may see): those must answer without one of the world's ids,
or alice's name, in the body.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from store import Store
from store.integrity import NewPair
from tests.web.api.test_exams import exam, start  # noqa: F401  (fixtures)
from tests.web.api.test_lti import FIELDS as LTI_FIELDS
from tests.web.api.test_records import PROGRAMME, post_programme
from tests.web.fakes import FakeClock
from tests.web.notebook_builders import learner_bytes, source_bytes
from tests.web.reports import graded_since

ADMIN = {"Authorization": "Bearer admin-secret"}
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
# Routes whose answer to an outsider is their own view: 200 with none of the world in it.
OWN_VIEWS = {
    ("GET", "/api/v1/assignments"),
    ("GET", "/api/v1/exams"),
    ("GET", "/api/v1/programmes"),
    ("GET", "/api/v1/programmes/<programme_id>"),  # a programme's rules: no learner's data
    ("GET", "/api/v1/tokens"),
    ("GET", "/api/v1/regrade-requests"),
    ("GET", "/api/v1/integrity/pairs"),
    ("GET", "/api/v1/integrity/pairs.csv"),
    ("GET", "/api/v1/integrity/learners/<learner>/history"),  # staff: the history in their own courses
    ("GET", "/api/v1/deliveries"),
    ("GET", "/api/v1/platforms"),
    ("GET", "/api/v1/courses/<course>/ledger"),
    ("GET", "/api/v1/courses/<course>/regrade-policy"),  # the course's rules, not a learner's data
}
# What a learner of the same course may see of it: the course's work, and their own view of it.
MEMBER_VIEWS = OWN_VIEWS | {
    ("GET", "/api/v1/assignments/<assignment_id>"),
    ("GET", "/api/v1/assignments/<assignment_id>/release"),
    ("GET", "/api/v1/assignments/<assignment_id>/deadline"),
    ("GET", "/api/v1/exams/<exam_id>"),
    ("GET", "/api/v1/exams/<exam_id>/attempts"),
}
ALICES = ("submission_id", "attempt_id", "request_id", "run_id")  # her work, and what was done to it
COURSES = ("assignment_id", "exam_id")  # ds101's work: secret from other courses only
# Routes anyone may call by design (their own tests cover what they reveal).
PUBLIC = {"/api/v1/health", "/api/v1/openapi.json", "/api/v1/records/public-key"}
SIGNED = {
    "/api/v1/platforms/<platform_id>/submissions",  # the webhook (tests/web/api/test_webhook.py)
    "/api/v1/proctoring/<platform_id>/reviews",  # signed like the webhook
}


EXTENSION = {"learner": "alice", "kind": "extension", "extra_hours": 72, "reason": "flu"}
NOTEBOOK = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def bodies(ids: dict[str, str]) -> dict[tuple[str, str], dict[str, Any]]:
    """A write route's request as its rightful caller would send it: only authorization may refuse it."""

    def form(**fields: Any) -> dict[str, Any]:
        return {"data": fields, "content_type": "multipart/form-data"}

    def notebook() -> tuple[io.BytesIO, str]:
        return io.BytesIO(learner_bytes()), "hw.ipynb"

    return {
        ("POST", "/api/v1/assignments"): form(
            course="ds101", name="hw9", file=(io.BytesIO(source_bytes()), "hw.ipynb")
        ),
        ("PATCH", "/api/v1/assignments/<assignment_id>"): {
            "json": {"due": "2031-01-01T00:00:00Z", "reason": "r"}
        },
        ("POST", "/api/v1/assignments/<assignment_id>/retire"): {"json": {"reason": "r"}},
        ("POST", "/api/v1/assignments/<assignment_id>/submissions"): form(file=notebook(), learner="alice"),
        ("POST", "/api/v1/assignments/<assignment_id>/regrades"): form(reason="r"),
        ("POST", "/api/v1/submissions/<submission_id>/regrade-requests"): {
            "json": {"grade_id": "test_answer", "reason": "r"}
        },
        ("POST", "/api/v1/regrade-requests/<request_id>/answer"): {
            "json": {"decision": "upheld", "score": 2, "reason": "r"}
        },
        ("POST", "/api/v1/regrade-requests/<request_id>/regrade-run"): form(),
        ("PUT", "/api/v1/courses/<course>/regrade-policy"): {"json": {"window_days": 99, "tokens": 9}},
        ("PUT", "/api/v1/submissions/<submission_id>/cells/<grade_id>"): {
            "json": {"score": 2, "reason": "r"}
        },
        ("POST", "/api/v1/platforms"): {"json": {"id": "evil", "courses": ["ds101"]}},
        ("PUT", "/api/v1/courses/<course>/accommodations/<learner>"): {"json": {"time_multiplier": 3}},
        ("POST", "/api/v1/courses/<course>/ledger"): {
            "json": {"entries": [{**EXTENSION, "assignment_id": ids["assignment_id"]}]}
        },
        ("POST", "/api/v1/courses/<course>/ledger/extensions.csv"): {
            "data": f"learner,assignment,extra_hours,reason\nalice,{ids['assignment_id']},72,flu\n",
            "content_type": "text/csv",
        },
        ("PUT", "/api/v1/attempts/<attempt_id>/answers/<name>"): {
            "data": json.dumps(NOTEBOOK),
            "content_type": "application/x-ipynb+json",
        },
        ("POST", "/api/v1/attempts/<attempt_id>/extend"): {"json": {"minutes": 30, "reason": "r"}},
        ("POST", "/api/v1/attempts/<attempt_id>/interrupt"): {"json": {"reason": "r"}},
        ("POST", "/api/v1/attempts/<attempt_id>/review"): {"json": {"decision": "reject", "reason": "r"}},
        ("POST", "/api/v1/programmes/<programme_id>/records/<learner>/overrides"): {
            "json": {"course": "ds101", "value": 99, "reason": "r"}
        },
        ("POST", "/api/v1/programmes/<programme_id>/records/<learner>/freeze"): {"json": {"reason": "r"}},
        ("POST", "/api/v1/programmes/<programme_id>/records/<learner>/shares"): {
            "json": {"label": "mine now"}
        },
        ("POST", "/api/v1/integrity/pairs/<pair_id>/review"): {"json": {"state": "dismissed", "reason": "r"}},
        ("POST", "/api/v1/lti/registrations"): {"json": {**LTI_FIELDS, "id": "evil", "client_id": "evil"}},
        ("PATCH", "/api/v1/lti/registrations/<registration_id>"): {"json": {"token_audience": "evil"}},
        ("POST", "/api/v1/lti/registrations/<registration_id>/deployments"): {"json": {"deployment_id": "9"}},
        ("POST", "/api/v1/lti/invitations"): {"json": {"courses": ["ds101"]}},
    }


# A learner of the course may do these on their own account (bob submitting, starting his own attempt).
MEMBER_WRITES = {
    ("POST", "/api/v1/assignments/<assignment_id>/submissions"),
    ("POST", "/api/v1/exams/<exam_id>/attempts"),
}


@pytest.fixture
def world(
    client: FlaskClient,
    store: Store,
    clock: FakeClock,
    instructor: dict[str, str],
    alice: dict[str, str],
    bob: dict[str, str],
    post_submission: Callable[..., Any],
    assignment: dict[str, Any],
    exam: dict[str, Any],  # noqa: F811
    start: Callable[..., Any],  # noqa: F811
) -> dict[str, str]:
    """Ids of everything alice and ds101 own, each made through the API where the API makes it."""
    assert post_programme(client, PROGRAMME).status_code == 201
    attempt = start("alice").json  # inside the exam's window, before the clock moves to after the grades
    assert "id" in attempt, attempt
    sid = str(post_submission().json["id"])
    graded_since(store, sid, clock, hours=1)
    bob_sid = str(post_submission(headers=bob).json["id"])
    graded_since(store, bob_sid, clock, hours=1)
    asked = client.post(
        f"/api/v1/submissions/{sid}/regrade-requests",
        headers=alice,
        json={"grade_id": "test_answer", "reason": "my answer is right"},
    )
    assert asked.status_code == 201, asked.json
    run = client.post(
        f"/api/v1/assignments/{assignment['id']}/regrades", headers=instructor, data={"reason": "a fix"}
    )
    assert run.status_code == 202, run.json
    share = client.post("/api/v1/programmes/mm-ds/records/alice/shares", headers=alice, json={"label": "x"})
    assert share.status_code == 201, share.json
    platform = client.post(
        "/api/v1/platforms",
        headers=ADMIN,
        json={"id": "lms", "callback_url": "https://lms.example/results", "courses": ["ds101"]},
    )
    assert platform.status_code == 201, platform.json
    lti = client.post("/api/v1/lti/registrations", json=LTI_FIELDS, headers=ADMIN)
    assert lti.status_code == 201, lti.json
    invitation = client.post("/api/v1/lti/invitations", json={"courses": ["ds101"]}, headers=ADMIN)
    assert invitation.status_code == 201, invitation.json
    store.add_pairs(
        "assignment:hw1:x",
        "ds101",
        [
            NewPair(
                bob_sid,
                sid,
                "bob",
                "alice",
                {"score": 0.9, "code_score": 0.9, "text_score": 0.0, "cells": []},
            )
        ],
        clock() + timedelta(seconds=1),
    )
    pair_id = str(store.list_pairs(["ds101"])[0].id)
    _, token = store.create_token("learner", "alice", ["ds101"])
    return {
        "assignment_id": assignment["id"],
        "submission_id": sid,
        "exam_id": exam["id"],
        "attempt_id": attempt["id"],
        "name": attempt["questions"][0]["name"],
        "grade_id": "test_answer",
        "programme_id": "mm-ds",
        "learner": "alice",
        "course": "ds101",
        "run_id": run.json["id"],
        "request_id": asked.json["id"],
        "share_id": str(share.json["id"]),
        "token": share.json["url"].rsplit("/", 1)[-1],
        "platform_id": "lms",
        "registration_id": LTI_FIELDS["id"],
        "invitation_id": invitation.json["id"],
        "pair_id": pair_id,
        "token_id": str(token.id),
        "delivery_id": "1",  # no webhook result in this world: its delivery routes are walked with a missing id
        "purpose": "revocation",
    }


@pytest.fixture
def outsiders(token: Callable[..., dict[str, str]], store: Store) -> dict[str, dict[str, str]]:
    bob = token("learner", "bob", ["ds101"])
    plaintext, _ = store.create_token("platform", "other-lms", ["ds999"])
    return {
        "stranger": token("instructor", "stranger", ["ds999"]),
        "bob": bob,
        "mallory": token("learner", "mallory", ["ds999"]),
        "foreign_platform": {"Authorization": f"Bearer {plaintext}"},
    }


def routes(app: Flask, ids: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    """(method, rule, url) of every API route, its arguments filled with the world's ids."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        url = ARGUMENT.sub(lambda m: ids[m.group(1)], rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, rule.rule, url


def is_public(rule: str) -> bool:
    return rule in PUBLIC or rule in SIGNED or rule.startswith(("/api/v1/shared/", "/api/v1/records/status/"))


def secrets_of(ids: dict[str, str], member: bool, url: str) -> list[str]:
    """What an outsider's own view must not show: alice's work, and the course's to other courses."""
    keys = ALICES if member else ALICES + COURSES
    name = [] if "/alice" in url else ['"alice"']  # a route about alice may name her; it may not show her
    return [ids[key] for key in keys] + name


def trespasses(
    client: FlaskClient,
    table: list[tuple[str, str, str]],
    headers: dict[str, str],
    member: bool,
    world: dict[str, str],
    row_counts: Callable[[], dict[str, int]],
) -> list[str]:
    """What one caller could read or write of the world, route by route."""
    found = []
    views = MEMBER_VIEWS if member else OWN_VIEWS
    requests = bodies(world)
    for method, rule, url in table:
        if member and (method, rule) in MEMBER_WRITES:
            continue  # their own (tests/web/api/test_submissions.py, api/test_attempts.py)
        before = row_counts()
        answer = client.open(
            url, method=method, headers=headers, **requests.get((method, rule), {"json": {}})
        )
        body = answer.get_data(as_text=True)
        if (method, rule) in views and answer.status_code == 200:
            shown = [secret for secret in secrets_of(world, member, url) if secret in body]
            if shown:
                found.append(f"{method} {url}: 200 showing {shown}")
        elif not 400 <= answer.status_code < 500:
            found.append(f"{method} {url}: {answer.status_code} {body[:200]}")
        elif answer.is_json and not answer.json.get("error"):
            found.append(f"{method} {url}: {answer.status_code} without an error")
        after = row_counts()
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t] and t != "tokens"}
        if changed:
            found.append(f"{method} {url}: wrote {changed}")
    return found


@pytest.fixture
def table(app: Flask, world: dict[str, str]) -> list[tuple[str, str, str]]:
    found = [(method, rule, url) for method, rule, url in routes(app, world) if not is_public(rule)]
    assert len(found) > 70  # the whole API, not a sample
    return found


@pytest.mark.parametrize("who", ["stranger", "bob", "mallory", "foreign_platform"])
def test_no_outsider_reads_or_writes_anything_of_alices_or_her_course(
    client: FlaskClient,
    world: dict[str, str],
    table: list[tuple[str, str, str]],
    outsiders: dict[str, dict[str, str]],
    row_counts: Callable[[], dict[str, int]],
    who: str,
) -> None:
    found = trespasses(client, table, outsiders[who], who == "bob", world, row_counts)
    assert found == [], "\n".join(found)


def test_the_matrix_sees_what_the_course_s_own_instructor_may_do(
    client: FlaskClient,
    world: dict[str, str],
    table: list[tuple[str, str, str]],
    instructor: dict[str, str],
    row_counts: Callable[[], dict[str, int]],
) -> None:
    """The same walk as ds101's instructor reports their rightful reads and writes: the checks can fire."""
    found = "\n".join(trespasses(client, table, instructor, False, world, row_counts))
    sid, pair = world["submission_id"], world["pair_id"]
    for seen in (
        f"GET /api/v1/submissions/{sid}: 200",
        f"GET /api/v1/integrity/pairs/{pair}: 200",
        "GET /api/v1/integrity/pairs: 200 showing",
        "GET /api/v1/regrade-requests: 200 showing",
        "GET /api/v1/programmes/mm-ds/records/alice: 200",
    ):
        assert seen in found
