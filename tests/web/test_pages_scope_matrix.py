"""Every web page, opened and posted by logged-in outsiders, about alice's real work: nothing leaks, nothing is written.

The pages' twin of ``test_scope_matrix.py`` (same world, same outsiders, logged in with a
password instead of a token): an instructor of another course and a learner of another
course see none of ds101, and bob, a learner of ds101, sees nothing of alice's. A GET must
answer a 4xx, or 200 for a page that is the caller's own view with none of the world's ids
in it; a POST (with the session's CSRF token, so only authorization may refuse it) must
write nothing and answer a 4xx.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from store import Store
from tests.web.api.test_exams import exam, start  # noqa: F401  (fixtures)
from tests.web.conftest import PASSWORD
from tests.web.pages_client import csrf_of, log_in
from tests.web.test_scope_matrix import ALICES, ARGUMENT, COURSES, world  # noqa: F401  (world: a fixture)

# Pages that are anyone's own view (a home page, their list of work): 200 with none of the world in it.
OWN_PAGES = {
    "/learn/",
    "/learn/exams",
    "/learn/records",
    "/learn/records/<programme_id>/export.json",  # the caller's own record
    "/teach/",
    "/teach/integrity",
    "/teach/integrity.csv",
    "/teach/regrade-requests",
    "/teach/review",
    "/teach/programmes/",
    "/teach/programmes/<programme_id>",  # a programme's rules: no learner's data
}
# What a learner of the same course may open: the course's assignment, as bob's own page.
MEMBER_PAGES = OWN_PAGES | {"/learn/assignments/<assignment_id>", "/assignments/<assignment_id>/release"}
OWN_POSTS = {"/learn/records/<programme_id>/shares"}  # a share link to the caller's own record
MEMBER_POSTS = OWN_POSTS | {
    "/learn/assignments/<assignment_id>",
    "/learn/exams/<exam_id>/start",
}  # bob's own work
ALICE = re.compile(r"\balice\b")  # her name, in a page's text or a CSV
OUTSIDE = {  # not the pages' own: public, signed, the session itself, or a redirect to the caller's home
    "/",
    "/login",
    "/logout",
    "/lti/login",
    "/lti/launch",
    "/lti/jwks",
    "/healthz",
    "/readyz",
    "/metrics",
    "/did.json",
    "/.well-known/did.json",
    "/.well-known/jwks.json",
    "/static/<path:filename>",
    "/shared/<token>",
    "/shared/<token>/record.json",
}


@pytest.fixture
def walkers(store: Store) -> dict[str, str]:
    """The outsiders' accounts (bob is a learner of ds101)."""
    for role, name, courses in (
        ("instructor", "stranger", ["ds999"]),
        ("learner", "bob", ["ds101"]),
        ("learner", "mallory", ["ds999"]),
        ("instructor", "prof", ["ds101"]),
    ):
        store.create_account(role, name, PASSWORD, courses)
    return {"stranger": "stranger", "bob": "bob", "mallory": "mallory"}


def pages(app: Flask, ids: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    """(method, rule, url) of every page, its arguments filled with the world's ids."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule in OUTSIDE:
            continue
        url = ARGUMENT.sub(lambda m: ids[m.group(1)], rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, rule.rule, url


def walk(
    app: Flask,
    client: FlaskClient,
    world: dict[str, str],
    member: bool,
    row_counts: Callable[[], dict[str, int]],
) -> list[str]:
    """What the logged-in caller could read or write of the world, page by page."""
    secrets = [world[key] for key in (ALICES if member else ALICES + COURSES)]
    views, writes = (MEMBER_PAGES, MEMBER_POSTS) if member else (OWN_PAGES, OWN_POSTS)
    token = csrf_of(client, client.get("/").headers["Location"])  # the caller's home page
    found = []
    for method, rule, url in pages(app, world):
        if method == "POST" and rule in writes:
            continue
        before = row_counts()
        if method == "GET":
            answer = client.get(url)
        else:
            answer = client.post(url, data={"csrf_token": token, "reason": "r", "learner": "alice"})
        body = answer.get_data(as_text=True)
        if method == "GET" and rule in views and answer.status_code == 200:
            shown = [secret for secret in secrets if secret in body] + ALICE.findall(body)
            if shown:
                found.append(f"{method} {url}: 200 showing {shown}")
        elif not 400 <= answer.status_code < 500:
            found.append(f"{method} {url}: {answer.status_code} {answer.headers.get('Location', '')}")
        after = row_counts()
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
        if changed:
            found.append(f"{method} {url}: wrote {changed}")
    return found


@pytest.mark.parametrize("who", ["stranger", "bob", "mallory"])
def test_no_logged_in_outsider_opens_or_posts_anything_of_alices_or_her_course(
    app: Flask,
    client: FlaskClient,
    world: dict[str, str],
    walkers: dict[str, str],
    row_counts: Callable[[], dict[str, int]],
    who: str,
) -> None:
    assert log_in(client, walkers[who]).status_code == 302
    found = walk(app, client, world, who == "bob", row_counts)
    assert found == [], "\n".join(found)


def test_the_page_walk_sees_what_the_course_s_own_instructor_may_open(
    app: Flask,
    client: FlaskClient,
    world: dict[str, str],
    walkers: dict[str, Any],
    row_counts: Callable[[], dict[str, int]],
) -> None:
    """The same walk as ds101's instructor reports their rightful pages: the checks can fire."""
    assert log_in(client, "prof").status_code == 302
    found = "\n".join(walk(app, client, world, False, row_counts))
    sid, attempt = world["submission_id"], world["attempt_id"]
    for seen in (
        f"GET /submissions/{sid}: 200",
        f"GET /teach/attempts/{attempt}: 200",
        "GET /teach/integrity: 200 showing ['alice'",
        "GET /teach/integrity.csv: 200 showing",
        "GET /teach/regrade-requests: 200 showing",
    ):
        assert seen in found
