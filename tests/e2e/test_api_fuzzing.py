"""Fuzzing the running app against its own OpenAPI document (schemathesis).

The app runs for real: a werkzeug server in this process on a fresh SQLite database, with
its queue and rate limiter on Redis db 13. No worker runs, so submissions stay queued; the
seed grades some of them in the store, as the worker would, so that the paths behind a
grade (feedback, results.json, cell changes, regrades, deliveries) are reached too. It also
uploads an exam open now, on the server's clock, with one attempt started by the fuzzed
learner (alice), one interrupted and one graded, so that the attempt's paths (questions,
saved answers, submit, extend, interrupt, resume, reviews) are reached with real attempts.
A programme (mm-ds) over the seeded course exists before anything is graded, so every
grade becomes an event of a record history: alice's record holds a graded submission and
she has a share link, so that records, histories, overrides, freezes, exports and share
links are reached with a real record.

For every operation in web/openapi.yaml (the document the app serves), schemathesis sends
generated requests, valid ones and ones that break the schema (its positive and negative
modes, through its examples, coverage and fuzzing phases), and every response must pass:

- not_a_server_error: no 5xx;
- status_code_conformance: the status is documented for the operation;
- content_type_conformance: the media type is documented for that status;
- response_headers_conformance: required headers are there (Location, Retry-After,
  WWW-Authenticate, Content-Disposition, ...) and fit their schemas;
- response_schema_conformance: the body fits the documented schema;
- ignored_auth: an operation that answers 2xx with the bearer token refuses without it.

Each operation is fuzzed three times, with an admin's token (which gets past every
authorisation check to the code that reads input), an instructor's of the seeded course
and a learner's, so the 403s of roles and scopes are checked too. Bounded for CI: at most
MAX_EXAMPLES generated cases per operation and role in the fuzzing phase, a fixed SEED and
no example database, so that every run sends the same requests. It takes about 130 s here
(each operation's server polls for shutdown every 50 ms, not werkzeug's 500).

Nothing is excluded. Generated path parameters (and the ids, course and files in bodies)
are replaced, in about half of the cases, by ones that exist, so that requests reach real
records and not only 404s; a saved answer and an exam upload also get, now and then, a real
notebook and a spec that parses but breaks the rules (a 422 listing its problems). The
signed webhook and proctoring reviews answer every generated call with a 401 (the signature
covers the exact body); that answer is checked, but calls to the seeded platform are signed
here with its secret, after the body is encoded, so that generated bodies reach the code
that parses and checks them.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case
from sqlalchemy import text
from werkzeug.serving import make_server

from integrations.signing import signed_headers
from service.attempts import attempt_graded
from service.settings import Settings
from store import Store
from tests.conftest import REDIS_URL
from tests.exam_bank.bank import as_yaml, question
from tests.web.api.test_records import PROGRAMME
from tests.web.notebook_builders import learner_bytes, source_bytes
from tests.web.test_openapi import grade
from web.app import create_app
from web.handles import EXTENSION
from web.openapi import openapi_document

pytestmark = [pytest.mark.slow, pytest.mark.redis]

SEED = 20261129
MAX_EXAMPLES = 15
WEBHOOK = "/platforms/{platform_id}/submissions"
SIGNED = {WEBHOOK, "/proctoring/{platform_id}/reviews"}  # authenticated by the platform's signature
CALLBACK = "http://127.0.0.1:9/results"  # never called: no worker sends deliveries here
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.ignored_auth,
]


@dataclass(frozen=True)
class Target:
    base_url: str
    tokens: dict[str, str]  # a bearer token per role: admin, instructor (of ds101), learner (alice)
    secret: str  # the seeded platform's HMAC secret
    known: dict[
        str, list[Any]
    ]  # values that name existing records (or make a valid exam), by parameter or field name
    bodies: dict[str, list[Any]]  # whole request bodies that generation hardly ever hits, by operation path


class Sign(requests.auth.AuthBase):
    """Signs a request as the platform, over the body exactly as encoded (JSON or multipart)."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else bytes(body)
        request.headers.update(signed_headers(self.secret, int(time.time()), raw))
        return request


def seed(api: str, store: Store, admin: dict[str, str]) -> Target:
    """An instructor's assignment, a platform, and submissions queued, graded and delivered (one dead);
    an exam open now, with an attempt started (alice's), one interrupted and one graded."""
    tokens = {
        "admin": admin["Authorization"].removeprefix("Bearer "),
        "instructor": store.create_token("instructor", "prof", ["ds101"])[0],
        "learner": store.create_token("learner", "alice", ["ds101"])[0],
    }
    instructor = {"Authorization": f"Bearer {tokens['instructor']}"}
    platform = ok(
        requests.post(
            f"{api}/platforms",
            headers=admin,
            timeout=10,
            json={"id": "lms", "callback_url": CALLBACK, "courses": ["ds101"]},
        )
    )
    assignment = ok(
        requests.post(
            f"{api}/assignments",
            headers=instructor,
            timeout=10,
            data={"course": "ds101", "name": "hw1"},
            files={"file": ("hw.ipynb", source_bytes())},
        )
    )
    ok(
        requests.post(
            f"{api}/programmes",
            headers=admin,
            timeout=10,  # first: every grade below feeds its records
            files={"spec": ("programme.yaml", yaml.safe_dump(PROGRAMME).encode())},
        )
    )

    def submit(learner: str) -> str:
        reply = requests.post(
            f"{api}/assignments/{assignment['id']}/submissions",
            headers=instructor,
            timeout=10,
            data={"learner": learner},
            files={"file": ("hw.ipynb", learner_bytes())},
        )
        submission_id: str = ok(reply)["id"]
        return submission_id

    def through_platform(external_id: str) -> str:
        reply = requests.post(
            f"{api}/platforms/lms/submissions",
            timeout=10,
            auth=Sign(platform["secret"]),
            json={
                "external_id": external_id,
                "assignment_id": assignment["id"],
                "learner": "carol",
                "notebook": json.loads(learner_bytes()),
            },
        )
        submission_id: str = ok(reply)["id"]
        return submission_id

    queued, graded = submit("alice"), submit("bob")
    grade(store, graded)
    request_id = open_request(store, graded)
    delivered = through_platform("lms-1")
    grade(store, delivered)
    failed = through_platform("lms-2")
    store.claim_submission(failed)
    store.mark_failed(failed, "the sandbox image is missing")
    dead = store.list_deliveries(submission_id=failed)[0].id
    with store.engine.begin() as connection:  # out of retries, as the delivery worker would leave it
        connection.execute(text("UPDATE deliveries SET status = 'dead' WHERE id = :id"), {"id": dead})
    exam = seed_exam(api, store, instructor, tokens["learner"])
    record = seed_record(api, store, tokens["learner"], submit)
    return Target(
        base_url=api.removesuffix("/api/v1"),
        tokens=tokens,
        secret=platform["secret"],
        known={
            "assignment_id": [assignment["id"]],
            "submission_id": [queued, graded, delivered, failed],
            "platform_id": ["lms"],
            "delivery_id": [dead, *(d.id for d in store.list_deliveries(submission_id=delivered))],
            "course": ["ds101"],
            "grade_id": ["test_answer"],
            "request_id": [request_id],
            "learner": ["alice"],
            **exam.known,
            **record.known,
        },
        bodies={**exam.bodies, **record.bodies},
    )


def open_request(store: Store, submission_id: str) -> str:
    """bob's regrade request on his graded test, so the request's paths reach a real one."""
    latest = store.latest_report(submission_id)
    assert latest is not None
    cell = latest.report.cells[0]
    request_id: str = store.open_regrade_request(submission_id, cell, "why", latest.id, datetime.now(UTC))[
        "id"
    ]
    return request_id


EXAM_QUESTION = "01-all-q1.ipynb"  # the one question every attempt draws (pool "all", file q1.ipynb)
ANSWER = "/attempts/{attempt_id}/answers/{name}"


@dataclass(frozen=True)
class SeededExam:
    known: dict[str, list[Any]]
    bodies: dict[str, list[Any]]


def seed_exam(api: str, store: Store, instructor: dict[str, str], alice: str) -> SeededExam:
    """An exam open now (on the server's clock), two attempts allowed, of one question in one pool;
    alice's attempt started, bob's interrupted, carol's submitted and graded (alice's comes first)."""
    now = datetime.now(UTC)
    spec = {
        "title": "Quiz",
        "time_limit_minutes": 60,
        "attempts_allowed": 2,
        "grace_seconds": 60,
        "window": {
            "opens": (now - timedelta(hours=1)).isoformat(),
            "closes": (now + timedelta(days=1)).isoformat(),
        },
        "pools": [
            {
                "name": "all",
                "draw": 1,
                "questions": [{"file": "q1.ipynb", "params": {"k": {"choices": [2, 3]}}}],
            }
        ],
    }
    spec_bytes, question_bytes = as_yaml(spec).encode(), question()
    files = [("spec", ("exam.yaml", spec_bytes)), ("questions", ("q1.ipynb", question_bytes))]
    form = {"course": "ds101", "name": "quiz"}
    exam: str = ok(requests.post(f"{api}/exams", headers=instructor, data=form, files=files, timeout=10))[
        "id"
    ]

    def post(path: str, token: str | None = None, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else instructor
        return ok(requests.post(f"{api}{path}", headers=headers, timeout=10, **kwargs))

    started = post(f"/exams/{exam}/attempts", alice)
    assert [q["name"] for q in started["questions"]] == [EXAM_QUESTION]
    interrupted = post(f"/exams/{exam}/attempts", store.create_token("learner", "bob", ["ds101"])[0])["id"]
    post(f"/attempts/{interrupted}/interrupt", json={"reason": "power cut"})
    carol = store.create_token("learner", "carol", ["ds101"])[0]
    graded = post(f"/exams/{exam}/attempts", carol)["id"]
    submission = post(f"/attempts/{graded}/submit", carol)["submission_id"]
    store.claim_submission(submission)
    assert store.save_grade(submission, {"score": 1.0, "max_score": 1.0, "cells": []}, "", {})
    attempt_graded(store, submission, datetime.now(UTC))  # as the worker does after storing the grade
    release = requests.get(
        f"{api}/attempts/{started['id']}/questions/{EXAM_QUESTION}",
        timeout=10,
        headers={"Authorization": f"Bearer {alice}"},
    )
    assert release.status_code == 200, release.text
    return SeededExam(
        known={
            "exam_id": [exam],
            "attempt_id": [started["id"], interrupted, graded],
            "name": [EXAM_QUESTION],
            "spec": [spec_bytes],  # with the known course: a valid exam (its 201, then its 409 for the name)
            "questions": [[question_bytes]],
        },
        bodies={
            ANSWER: [release.json()],  # what a learner's save of the question looks like
            "/exams": [
                {
                    "course": "ds101",
                    "name": "broken",
                    "spec": b"title: Quiz\npools: 5\n",
                    "questions": [question_bytes],
                }
            ],  # a 422 listing its problems
        },
    )


@dataclass(frozen=True)
class SeededRecord:
    known: dict[str, list[Any]]
    bodies: dict[str, list[Any]]


def seed_record(api: str, store: Store, alice: str, submit: Callable[[str], str]) -> SeededRecord:
    """A graded submission of alice's, so that her record in mm-ds holds a grade, and a share link to it."""
    graded = submit("alice")
    grade(store, graded)
    share = ok(
        requests.post(
            f"{api}/programmes/{PROGRAMME['id']}/records/alice/shares",
            timeout=10,
            headers={"Authorization": f"Bearer {alice}"},
            json={"label": "admissions"},
        )
    )
    another = {**PROGRAMME, "id": "mm-ds-2", "title": "Another"}
    return SeededRecord(
        known={
            "programme_id": [PROGRAMME["id"]],
            "share_id": [share["id"]],
            "token": [share["token"]],
            "value": [75],  # an override's grade in range
        },
        bodies={
            "/programmes": [
                {"spec": yaml.safe_dump(another).encode()},  # its 201, then its 409 for the id
                {"spec": b"id: Bad Id\ncourses: 5\n"},  # a 422 listing its problems
            ],
        },
    )


def ok(reply: requests.Response) -> dict[str, Any]:
    assert reply.status_code in (200, 201, 202), reply.text
    body: dict[str, Any] = reply.json()
    return body


@pytest.fixture
def target(tmp_path: Path, redis_conn: Any) -> Iterator[Target]:
    """The seeded app, serving on a free port until the test ends."""
    settings = Settings(
        data_dir=str(tmp_path),
        redis_url=REDIS_URL,
        admin_token=secrets.token_urlsafe(16),
        queue_prefix=f"fuzz-{secrets.token_hex(3)}",
        max_upload_bytes=200_000,
        rate_limit_submissions=100_000,  # counted in Redis (its headers are checked), never reached
    )
    app = create_app(settings)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )  # quick to stop
    thread.start()
    try:
        api = f"http://127.0.0.1:{httpd.server_port}/api/v1"
        seeded = seed(
            api, app.extensions[EXTENSION].store, {"Authorization": f"Bearer {settings.admin_token}"}
        )
        KNOWN.update(seeded.known)
        BODIES.update(seeded.bodies)
        yield seeded
    finally:
        KNOWN.clear()
        BODIES.clear()
        httpd.shutdown()
        thread.join(timeout=10)


# Values that name existing records (ids of the seeded assignment, submissions, platform,
# deliveries, exam, attempts, programme and share link; its course, grade cell, learner,
# question and share token), by parameter
# or field name, and whole bodies by operation path, for the hooks below. Filled by the
# ``target`` fixture before each operation's run: the schema and its hooks are set up when
# the module is collected, before any server is up, and strategies are drawn only when the
# test runs.
KNOWN: dict[str, list[Any]] = {}
BODIES: dict[str, list[Any]] = {}


def with_existing_ids(value: Any) -> Any:
    """A strategy: ``value`` with the fields that name records set to existing ones, or ``value`` as it is.

    Existing ids come first, so that they are what Hypothesis tends to draw; generated ids
    are still sent, and get their 404s.
    """
    if not isinstance(value, dict):
        return st.just(value)
    choices = {name: st.sampled_from(KNOWN[name]) for name in value if KNOWN.get(name)}
    if not choices:
        return st.just(value)
    return st.one_of(st.fixed_dictionaries(choices).map(lambda known: {**value, **known}), st.just(value))


def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: Any) -> Any:
    return with_existing_ids(path_parameters)


def flatmap_body(context: schemathesis.HookContext, body: Any) -> Any:
    """The webhook's and reviews' ids, an exam's course and files; or a whole body (a notebook to save)."""
    path = context.operation.path if context.operation is not None else ""
    return st.one_of(with_existing_ids(body), *(st.just(whole) for whole in BODIES.get(path, [])))


@pytest.fixture(params=["admin", "instructor", "learner"])
def role(request: pytest.FixtureRequest) -> str:
    """Whose token the generated requests carry: each operation is fuzzed once per role."""
    name: str = request.param
    return name


# The document as the package holds it (tests/web/test_openapi.py checks that the app serves
# exactly this), loaded at collection so that each operation is a test of its own.
schema = schemathesis.openapi.from_dict(
    openapi_document(),
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {"stateful": {"enabled": False}},  # the document has no links to chain calls by
        }
    ),
)
schema.hook(flatmap_path_parameters)
schema.hook(flatmap_body)


@schema.parametrize()
# One server per operation, shared by that operation's generated requests: a live service
# whose state builds up is what is being tested, so the fixture is not reset per input.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_running_app_keeps_its_contract(case: Case, target: Target, role: str) -> None:
    extra: dict[str, Any] = {}
    if case.operation.path in SIGNED and (case.path_parameters or {}).get("platform_id") == "lms":
        extra["auth"] = Sign(target.secret)
    headers = {"Authorization": f"Bearer {target.tokens[role]}"}
    case.call_and_validate(
        base_url=f"{target.base_url}/api/v1", headers=headers, checks=CHECKS, timeout=30, **extra
    )
