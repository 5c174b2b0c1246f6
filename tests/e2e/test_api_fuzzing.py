"""Fuzzing the running app against its own OpenAPI document (schemathesis).

The app runs for real: a werkzeug server in this process on a fresh SQLite database, with
its queue and rate limiter on Redis db 13. No worker runs, so submissions stay queued; the
seed grades some of them in the store, as the worker would, so that the paths behind a
grade (feedback, results.json, cell changes, regrades, deliveries) are reached too.

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
no example database, so that every run sends the same requests. It takes about 80 s here.

Nothing is excluded. Generated path parameters (and the webhook's assignment_id) are
replaced, in about half of the cases, by ids that exist, so that requests reach real
records and not only 404s. The signed webhook answers every generated call with a 401 (the
signature covers the exact body); that answer is checked, but calls to the seeded platform
are signed here with its secret, after the body is encoded, so that generated bodies reach
the code that parses and checks them.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case
from sqlalchemy import text
from werkzeug.serving import make_server

from autograde.settings import Settings
from integrations.signing import signed_headers
from store import Store
from tests.conftest import REDIS_URL
from tests.web.notebook_builders import learner_bytes, source_bytes
from tests.web.test_openapi import grade
from web.app import create_app
from web.handles import EXTENSION
from web.openapi import openapi_document

pytestmark = [pytest.mark.slow, pytest.mark.redis]

SEED = 20261129
MAX_EXAMPLES = 15
WEBHOOK = "/platforms/{platform_id}/submissions"
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
    known: dict[str, list[str]]  # values that name existing records, by parameter or field name


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
    """An instructor's assignment, a platform, and submissions queued, graded and delivered (one dead)."""
    tokens = {
        "admin": admin["Authorization"].removeprefix("Bearer "),
        "instructor": store.create_token("instructor", "prof", ["ds101"])[0],
        "learner": store.create_token("learner", "alice", None)[0],
    }
    instructor = {"Authorization": f"Bearer {tokens['instructor']}"}
    platform = ok(requests.post(f"{api}/platforms", headers=admin, timeout=10,
                                json={"id": "lms", "callback_url": CALLBACK, "courses": ["ds101"]}))
    assignment = ok(requests.post(f"{api}/assignments", headers=instructor, timeout=10,
                                  data={"course": "ds101", "name": "hw1"}, files={"file": ("hw.ipynb", source_bytes())}))

    def submit(learner: str) -> str:
        reply = requests.post(f"{api}/assignments/{assignment['id']}/submissions", headers=instructor, timeout=10,
                              data={"learner": learner}, files={"file": ("hw.ipynb", learner_bytes())})
        submission_id: str = ok(reply)["id"]
        return submission_id

    def through_platform(external_id: str) -> str:
        reply = requests.post(f"{api}/platforms/lms/submissions", timeout=10, auth=Sign(platform["secret"]), json={
            "external_id": external_id, "assignment_id": assignment["id"], "learner": "carol",
            "notebook": json.loads(learner_bytes()),
        })
        submission_id: str = ok(reply)["id"]
        return submission_id

    queued, graded = submit("alice"), submit("bob")
    grade(store, graded)
    delivered = through_platform("lms-1")
    grade(store, delivered)
    failed = through_platform("lms-2")
    store.claim_submission(failed)
    store.mark_failed(failed, "the sandbox image is missing")
    dead = store.list_deliveries(submission_id=failed)[0].id
    with store.engine.begin() as connection:  # out of retries, as the delivery worker would leave it
        connection.execute(text("UPDATE deliveries SET status = 'dead' WHERE id = :id"), {"id": dead})
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
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        api = f"http://127.0.0.1:{httpd.server_port}/api/v1"
        seeded = seed(api, app.extensions[EXTENSION].store, {"Authorization": f"Bearer {settings.admin_token}"})
        KNOWN.update(seeded.known)
        yield seeded
    finally:
        KNOWN.clear()
        httpd.shutdown()
        thread.join(timeout=10)


# Values that name existing records (ids of the seeded assignment, submissions, platform,
# deliveries; its course and grade cell), by parameter or field name, for the hooks below.
# Filled by the ``target`` fixture before each operation's run: the schema and its hooks
# are set up when the module is collected, before any server is up, and strategies are
# drawn only when the test runs.
KNOWN: dict[str, list[str]] = {}


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
    return with_existing_ids(body)  # the webhook's assignment_id


@pytest.fixture(params=["admin", "instructor", "learner"])
def role(request: pytest.FixtureRequest) -> str:
    """Whose token the generated requests carry: each operation is fuzzed once per role."""
    name: str = request.param
    return name


# The document as the package holds it (tests/web/test_openapi.py checks that the app serves
# exactly this), loaded at collection so that each operation is a test of its own.
schema = schemathesis.openapi.from_dict(
    openapi_document(),
    config=schemathesis.Config.from_dict({
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
        "phases": {"stateful": {"enabled": False}},  # the document has no links to chain calls by
    }),
)
schema.hook(flatmap_path_parameters)
schema.hook(flatmap_body)


@schema.parametrize()
# One server per operation, shared by that operation's generated requests: a live service
# whose state builds up is what is being tested, so the fixture is not reset per input.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_running_app_keeps_its_contract(case: Case, target: Target, role: str) -> None:
    extra: dict[str, Any] = {}
    if case.operation.path == WEBHOOK and (case.path_parameters or {}).get("platform_id") == "lms":
        extra["auth"] = Sign(target.secret)
    headers = {"Authorization": f"Bearer {target.tokens[role]}"}
    case.call_and_validate(base_url=f"{target.base_url}/api/v1", headers=headers, checks=CHECKS, timeout=30, **extra)
