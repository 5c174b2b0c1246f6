"""The OpenAPI document: valid, in step with the app's routes, and true of real responses.

The fuzzing run (tests/e2e/test_api_fuzzing.py) checks the document against whatever
schemathesis generates; these tests check it against the app's URL map and against the
responses of the ordinary paths (created, graded, changed, delivered) and of each error.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import text
from werkzeug.test import TestResponse

from grader.errors import RateLimited, StorageError
from integrations.signing import signed_headers
from service.attempts import attempt_graded
from store import Store
from tests.web.api.test_exams import QUESTIONS, exam, spec, start, upload  # noqa: F401  (exam, start: fixtures)
from tests.web.api.test_records import PROGRAMME, graded, post_programme  # noqa: F401  (graded: a fixture)
from tests.web.conftest import MAX_UPLOAD
from tests.web.fakes import FakeClock
from tests.web.multipart import upload as upload_file
from tests.web.notebook_builders import BAD_NOTEBOOKS, learner_bytes, make_zip, source_bytes
from web.handles import EXTENSION
from web.openapi import openapi_document
from web.ratelimit import Quota

ADMIN = {"Authorization": "Bearer admin-secret"}
PREFIX = "/api/v1"  # the document's server URL: its paths are relative to it
AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}  # werkzeug answers these for every GET / every rule
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")  # OpenAPI's operations
RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
PATH_TEMPLATE = re.compile(r"{([^{}]+)}")
URI = "urn:autograde:openapi"
CALLBACK = "https://lms.example/results"
Post = Callable[..., Any]


class Contract:
    """Checks a test client response against the document: status, media type, headers and body."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(URI, resource)

    def locate(self, pointer: str) -> tuple[str, Any]:
        """The node at a JSON pointer into the document, following ``$ref``s: (its own pointer, node)."""
        node: Any = self.document
        for part in pointer.lstrip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        if isinstance(node, dict) and "$ref" in node:
            return self.locate(node["$ref"].removeprefix("#"))
        return pointer, node

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """``node`` itself, or what its ``$ref`` points to."""
        if "$ref" in node:
            found: dict[str, Any] = self.locate(node["$ref"].removeprefix("#"))[1]
            return found
        return node

    def validate(self, instance: Any, pointer: str) -> None:
        validator = Draft202012Validator(
            {"$ref": f"{URI}#{pointer}"},
            registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        assert not errors, f"{pointer}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)

    def check(self, method: str, path: str, response: TestResponse) -> TestResponse:
        """``path`` is the documented template, e.g. ``/submissions/{submission_id}``."""
        escaped = path.replace("~", "~0").replace("/", "~1")
        operation = f"/paths/{escaped}/{method.lower()}"
        responses = self.locate(f"{operation}/responses")[1]
        status = str(response.status_code)
        assert status in responses, f"{method} {path}: {status} is not documented ({sorted(responses)})"
        where, spec = self.locate(f"{operation}/responses/{status}")
        for name in spec.get("headers", {}):
            header_at, header = self.locate(f"{where}/headers/{name}")
            value = response.headers.get(name)
            if value is None:
                assert not header.get("required"), f"{method} {path} {status}: no {name} header"
                continue
            schema_at, schema = self.locate(f"{header_at}/schema")
            self.validate(int(value) if schema.get("type") == "integer" else value, schema_at)
        content = spec.get("content", {})
        media_type = response.mimetype
        assert media_type in content, (
            f"{method} {path} {status}: {media_type} is not documented ({sorted(content)})"
        )
        if media_type == "application/json" or media_type.endswith("+json"):
            self.validate(
                json.loads(response.get_data()), f"{where}/content/{media_type.replace('/', '~1')}/schema"
            )
        return response


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    body: dict[str, Any] = response.json
    return body


@pytest.fixture
def contract(document: dict[str, Any]) -> Contract:
    return Contract(document)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def app_routes(app: Flask) -> set[tuple[str, str]]:
    """``(documented path, method)`` of every rule under /api/v1, e.g. ``("/submissions/{submission_id}", "get")``."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = RULE_ARGUMENT.sub(r"{\1}", rule.rule.removeprefix(PREFIX))
            routes |= {(path, method.lower()) for method in (rule.methods or set()) - AUTOMATIC_METHODS}
    return routes


def test_the_document_is_served_as_json_without_a_token(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == openapi_document()
    assert list(response.json)[:3] == ["openapi", "info", "servers"]  # the YAML's order, not sorted


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)  # raises OpenAPIValidationError, naming the place
    assert document["openapi"].startswith("3.1.")
    assert document["servers"] == [{"url": PREFIX}]


def test_every_route_of_the_app_is_documented_and_nothing_else(app: Flask, document: dict[str, Any]) -> None:
    documented = {(path, method) for path, method, _ in operations(document)}
    routes = app_routes(app)
    assert routes - documented == set(), "routes missing from web/openapi.yaml"
    assert documented - routes == set(), "documented operations the app does not have"


def test_path_parameters_are_declared_as_the_rules_name_them(document: dict[str, Any]) -> None:
    contract = Contract(document)
    for path, method, operation in operations(document):
        declared = {
            contract.resolve(parameter)["name"]
            for parameter in [
                *document["paths"][path].get("parameters", []),
                *operation.get("parameters", []),
            ]
            if contract.resolve(parameter)["in"] == "path"
        }
        assert declared == set(PATH_TEMPLATE.findall(path)), f"{method.upper()} {path}"


def test_every_operation_documents_its_errors_as_the_error_schema(document: dict[str, Any]) -> None:
    contract = Contract(document)
    for path, method, operation in operations(document):
        label = f"{method.upper()} {path}"
        responses = operation["responses"]
        for status, response in responses.items():
            spec = contract.resolve(response)
            if int(status) >= 400:
                assert spec["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, label
        if operation.get("security") == []:
            continue  # public: the health check and this document (the webhook has its own 401)
        assert {"401", "403", "503"} <= set(responses), label
        if "requestBody" in operation:
            assert {"400", "413"} <= set(responses), label


@pytest.mark.parametrize(
    "path", ["/assignments/{assignment_id}/submissions", "/platforms/{platform_id}/submissions"]
)
def test_both_ways_to_submit_document_the_rate_limit(document: dict[str, Any], path: str) -> None:
    contract = Contract(document)
    limited = contract.resolve(document["paths"][path]["post"]["responses"]["429"])
    assert contract.resolve(limited["headers"]["Retry-After"])["required"] is True


def test_the_webhook_is_signed_not_bearer_authenticated(document: dict[str, Any]) -> None:
    operation = document["paths"]["/platforms/{platform_id}/submissions"]["post"]
    assert operation["security"] == []
    names = {Contract(document).resolve(p)["name"] for p in operation["parameters"]}
    assert names == {"X-Autograde-Timestamp", "X-Autograde-Signature"}
    assert "ResultPayload" in json.dumps(document["webhooks"]["gradeResult"])


def grade(store: Store, submission_id: str) -> None:
    """What the worker does, without the sandbox: a full score of 2 on the one test cell."""
    cell = {
        "notebook": "hw.ipynb",
        "grade_id": "test_answer",
        "score": 2.0,
        "max_score": 2.0,
        "status": "passed",
        "message": "",
        "review": "",
    }
    report = {
        "score": 2.0,
        "raw_score": 2.0,
        "max_score": 2.0,
        "on_time": True,
        "late_credit": 1.0,
        "needs_manual_grading": False,
        "needs_review": False,
        "rubric_version": "v",
        "events": [],
        "flags": [],
        "cells": [cell],
    }
    store.claim_submission(submission_id)
    assert store.save_grade(submission_id, report, "<h1>Feedback</h1>", {"timings": {"total": 0.5}})


def test_assignments_and_their_downloads_fit_the_contract(
    client: FlaskClient, contract: Contract, post_assignment: Post, instructor: dict[str, str]
) -> None:
    created = contract.check(
        "post",
        "/assignments",
        post_assignment(
            due="2030-03-08T12:00:00Z",
            late_policy='[{"after": "2030-03-09T12:00:00Z", "credit": 50}]',
            runtime="runsc",
        ),
    )
    assert created.status_code == 201, created.json
    assignment_id = created.json["id"]
    contract.check(
        "get",
        "/assignments/{assignment_id}",
        client.get(f"/api/v1/assignments/{assignment_id}", headers=instructor),
    )
    listed = contract.check("get", "/assignments", client.get("/api/v1/assignments", headers=instructor))
    assert [a["id"] for a in listed.json] == [assignment_id]
    assert (
        contract.check(
            "get", "/assignments", client.get("/api/v1/assignments?course=", headers=instructor)
        ).status_code
        == 400
    )
    assert (
        contract.check(
            "get", "/assignments", client.get("/api/v1/assignments?course=x", headers=instructor)
        ).status_code
        == 403
    )
    release = client.get(f"/api/v1/assignments/{assignment_id}/release", headers=instructor)
    assert (
        contract.check("get", "/assignments/{assignment_id}/release", release).mimetype
        == "application/x-ipynb+json"
    )
    source = client.get(f"/api/v1/assignments/{assignment_id}/source", headers=instructor)
    contract.check("get", "/assignments/{assignment_id}/source", source)
    zipped = post_assignment(
        make_zip({"hw.ipynb": source_bytes(), "data.csv": b"x\n1\n"}), "hw.zip", name="hw-zip"
    )
    contract.check("post", "/assignments", zipped)
    release = client.get(f"/api/v1/assignments/{zipped.json['id']}/release", headers=instructor)
    assert (
        contract.check("get", "/assignments/{assignment_id}/release", release).mimetype == "application/zip"
    )


def test_changing_an_assignment_and_its_history_fit_the_contract(
    client: FlaskClient,
    contract: Contract,
    post_assignment: Post,
    post_submission: Post,
    store: Store,
    instructor: dict[str, str],
    alice: dict[str, str],
) -> None:
    created = post_assignment(
        name="due",
        due="2030-03-08T12:00:00Z",
        late_policy='[{"after": "2030-03-09T12:00:00Z", "credit": 50}]',
    )
    url, path = f"/api/v1/assignments/{created.json['id']}", "/assignments/{assignment_id}"
    grade(store, post_submission(assignment_id=created.json["id"]).json["id"])
    edit = {"due": "2030-02-01T12:00:00Z", "late_policy": None, "runtime": "runsc", "reason": "moved"}
    unconfirmed = contract.check("patch", path, client.patch(url, headers=instructor, json=edit))
    assert unconfirmed.status_code == 409
    preview = contract.check(
        "patch", path, client.patch(f"{url}?preview=true", headers=instructor, json=edit)
    )
    assert preview.json["needs_confirmation"] is True
    changed = contract.check(
        "patch",
        path,
        client.patch(url, headers=instructor, json={**edit, "confirm": preview.json["confirm"]}),
    )
    assert changed.status_code == 200 and changed.json["change"]["regraded"][0]["new_on_time"] is False
    same = contract.check(
        "patch", path, client.patch(url, headers=instructor, json={"runtime": "runsc", "reason": "again"})
    )
    assert same.json["change"] is None
    refused = client.patch(url, headers=instructor, json={"due": "soon", "reason": "r"})
    assert contract.check("patch", path, refused).status_code == 400
    assert (
        contract.check("patch", path, client.patch(url, headers=alice, json={"reason": "r"})).status_code
        == 403
    )
    retired = contract.check(
        "post", f"{path}/retire", client.post(f"{url}/retire", headers=instructor, json={"reason": "done"})
    )
    assert retired.json["assignment"]["retired_at"]
    assert (
        contract.check(
            "post", f"{path}/retire", client.post(f"{url}/retire", headers=instructor, json={"reason": "x"})
        ).status_code
        == 409
    )
    assert (
        contract.check(
            "post", f"{path}/retire", client.post(f"{url}/retire", headers=instructor, json={})
        ).status_code
        == 400
    )
    late = contract.check("post", f"{path}/submissions", post_submission(assignment_id=created.json["id"]))
    assert (late.status_code, late.json["error"]) == (410, "assignment_retired")
    history = contract.check("get", f"{path}/history", client.get(f"{url}/history", headers=instructor))
    assert [e["kind"] for e in history.json] == ["terms", "retire"]
    assert (
        contract.check("get", f"{path}/history", client.get(f"{url}/history", headers=alice)).status_code
        == 403
    )


def test_a_submission_through_its_grades_fits_the_contract(
    client: FlaskClient,
    contract: Contract,
    assignment: dict[str, Any],
    post_submission: Post,
    store: Store,
    instructor: dict[str, str],
    alice: dict[str, str],
) -> None:
    accepted = contract.check("post", "/assignments/{assignment_id}/submissions", post_submission())
    assert accepted.status_code == 202
    sid, aid = accepted.json["id"], assignment["id"]
    queued = contract.check(
        "get", "/submissions/{submission_id}", client.get(f"/api/v1/submissions/{sid}", headers=alice)
    )
    assert queued.json["status"] == "queued" and queued.json["cells"] == []
    for path in ("feedback", "results.json"):
        waiting = client.get(f"/api/v1/submissions/{sid}/{path}", headers=alice)
        assert contract.check("get", f"/submissions/{{submission_id}}/{path}", waiting).status_code == 404
    early = client.post(f"/api/v1/submissions/{sid}/regrade", headers=instructor)
    assert contract.check("post", "/submissions/{submission_id}/regrade", early).status_code == 409

    grade(store, sid)
    scored = contract.check(
        "get", "/submissions/{submission_id}", client.get(f"/api/v1/submissions/{sid}", headers=alice)
    )
    assert scored.json["status"] == "graded" and scored.json["cells"]
    listed = client.get(f"/api/v1/assignments/{aid}/submissions", headers=instructor)
    contract.check("get", "/assignments/{assignment_id}/submissions", listed)
    for path in ("feedback", "results.json"):
        contract.check(
            "get",
            f"/submissions/{{submission_id}}/{path}",
            client.get(f"/api/v1/submissions/{sid}/{path}", headers=alice),
        )
    contract.check(
        "get",
        "/assignments/{assignment_id}/gradebook.csv",
        client.get(f"/api/v1/assignments/{aid}/gradebook.csv", headers=instructor),
    )
    contract.check(
        "get",
        "/courses/{course}/gradebook.csv",
        client.get("/api/v1/courses/ds101/gradebook.csv", headers=instructor),
    )

    cell = "/submissions/{submission_id}/cells/{grade_id}"
    changed = client.put(
        f"/api/v1/submissions/{sid}/cells/test_answer",
        headers=instructor,
        json={"score": 1.5, "reason": "partly right"},
    )
    assert contract.check("put", cell, changed).json["cells"][0]["status"] == "graded_by_instructor"
    too_many = client.put(
        f"/api/v1/submissions/{sid}/cells/test_answer", headers=instructor, json={"score": 3, "reason": "x"}
    )
    assert contract.check("put", cell, too_many).status_code == 400
    no_cell = client.put(
        f"/api/v1/submissions/{sid}/cells/nope", headers=instructor, json={"score": 1, "reason": "x"}
    )
    assert contract.check("put", cell, no_cell).status_code == 404
    regrade = client.post(f"/api/v1/submissions/{sid}/regrade", headers=instructor)
    assert contract.check("post", "/submissions/{submission_id}/regrade", regrade).status_code == 202


def test_platforms_the_webhook_and_deliveries_fit_the_contract(
    client: FlaskClient, contract: Contract, assignment: dict[str, Any], store: Store, clock: FakeClock
) -> None:
    registered = client.post(
        "/api/v1/platforms", headers=ADMIN, json={"id": "lms", "callback_url": CALLBACK, "courses": ["ds101"]}
    )
    assert contract.check("post", "/platforms", registered).status_code == 201
    again = client.post("/api/v1/platforms", headers=ADMIN, json={"id": "lms", "courses": ["ds101"]})
    assert contract.check("post", "/platforms", again).status_code == 409
    contract.check("get", "/platforms", client.get("/api/v1/platforms", headers=ADMIN))
    own = {"Authorization": f"Bearer {registered.json['token']}"}
    contract.check("get", "/platforms/{platform_id}", client.get("/api/v1/platforms/lms", headers=own))

    webhook = "/platforms/{platform_id}/submissions"

    def send(body: bytes, content_type: str = "application/json") -> TestResponse:
        headers = signed_headers(registered.json["secret"], int(clock().timestamp()), body)
        return client.post(
            "/api/v1/platforms/lms/submissions", data=body, headers=headers, content_type=content_type
        )

    call = {
        "external_id": "e1",
        "assignment_id": assignment["id"],
        "learner": "alice",
        "content_base64": base64.b64encode(learner_bytes()).decode(),
        "filename": "hw.ipynb",
    }
    first = contract.check("post", webhook, send(json.dumps(call).encode()))
    assert first.status_code == 202
    assert contract.check("post", webhook, send(json.dumps(call).encode())).status_code == 200
    reused = send(json.dumps({**call, "learner": "bob"}).encode())
    assert contract.check("post", webhook, reused).status_code == 409
    unsigned = client.post("/api/v1/platforms/lms/submissions", json=call)
    assert contract.check("post", webhook, unsigned).status_code == 401

    grade(store, first.json["id"])
    listed = contract.check("get", "/deliveries", client.get("/api/v1/deliveries", headers=own))
    delivery_id = listed.json[0]["id"]
    contract.check(
        "get", "/deliveries/{delivery_id}", client.get(f"/api/v1/deliveries/{delivery_id}", headers=ADMIN)
    )
    pending = client.post(f"/api/v1/deliveries/{delivery_id}/redeliver", headers=ADMIN)
    assert contract.check("post", "/deliveries/{delivery_id}/redeliver", pending).status_code == 409
    contract.check(
        "get",
        "/submissions/{submission_id}/deliveries",
        client.get(f"/api/v1/submissions/{first.json['id']}/deliveries", headers=own),
    )
    bad_status = client.get("/api/v1/deliveries?status=lost", headers=ADMIN)
    assert contract.check("get", "/deliveries", bad_status).status_code == 400


def test_exams_and_accommodations_fit_the_contract(
    client: FlaskClient, contract: Contract, instructor: dict[str, str], alice: dict[str, str]
) -> None:
    created = contract.check(
        "post", "/exams", upload(client, instructor, spec(access={"networks": ["10.0.0.0/8"]}))
    )
    assert created.status_code == 201, created.json
    assert created.json["pools"] and created.json["networks"] == ["10.0.0.0/8"]
    exam_id = created.json["id"]
    bad = spec(time_limit_minutes=-5)
    bad["pools"][0]["draw"] = 4
    invalid = contract.check("post", "/exams", upload(client, instructor, bad, name="broken"))
    assert (
        invalid.status_code == 422
        and invalid.json["error"] == "invalid_exam"
        and len(invalid.json["problems"]) >= 2
    )
    not_a_notebook = upload(client, instructor, spec(), {**QUESTIONS, "q2.ipynb": b"x"}, name="broken")
    assert contract.check("post", "/exams", not_a_notebook).status_code == 422
    assert contract.check("post", "/exams", upload(client, instructor, spec())).status_code == 409
    assert contract.check("post", "/exams", upload(client, alice, spec(), name="other")).status_code == 403

    for who, staff in ((instructor, True), (alice, False)):
        listed = contract.check("get", "/exams", client.get("/api/v1/exams?course=ds101", headers=who))
        assert [e["id"] for e in listed.json] == [exam_id] and ("pools" in listed.json[0]) is staff
        one = contract.check("get", "/exams/{exam_id}", client.get(f"/api/v1/exams/{exam_id}", headers=who))
        assert ("networks" in one.json) is staff
    assert contract.check("get", "/exams", client.get("/api/v1/exams", headers=ADMIN)).status_code == 400
    assert (
        contract.check("get", "/exams/{exam_id}", client.get("/api/v1/exams/nope", headers=ADMIN)).status_code
        == 404
    )

    path = "/courses/{course}/accommodations/{learner}"
    url = "/api/v1/courses/ds101/accommodations/alice"
    stored = contract.check(
        "put", path, client.put(url, headers=instructor, json={"time_multiplier": 1.5, "note": "doc"})
    )
    assert stored.json == {"course": "ds101", "learner": "alice", "time_multiplier": 1.5, "note": "doc"}
    assert (
        contract.check(
            "put", path, client.put(url, headers=instructor, json={"time_multiplier": 0})
        ).status_code
        == 400
    )
    assert (
        contract.check("put", path, client.put(url, headers=alice, json={"time_multiplier": 2})).status_code
        == 403
    )
    assert contract.check("get", path, client.get(url, headers=alice)).json["time_multiplier"] == 1.5
    other = client.get("/api/v1/courses/ds101/accommodations/bob", headers=alice)
    assert contract.check("get", path, other).status_code == 403


def test_an_attempt_through_its_life_fits_the_contract(
    client: FlaskClient,
    contract: Contract,
    exam: dict[str, Any],
    start: Post,
    instructor: dict[str, str],
    alice: dict[str, str],
    bob: dict[str, str],
    clock: FakeClock,
) -> None:
    started = contract.check("post", "/exams/{exam_id}/attempts", start("alice"))
    assert started.status_code == 201 and "seed" not in started.json and "variant" not in started.json
    attempt_id = started.json["id"]
    one, mine = "/attempts/{attempt_id}", f"/api/v1/attempts/{attempt_id}"
    assert "seed" not in contract.check("get", one, client.get(mine, headers=alice)).json
    staff = contract.check("get", one, client.get(mine, headers=instructor)).json
    assert staff["seed"] and staff["variant"]["questions"] and staff["events_url"]
    assert (
        contract.check("get", one, client.get(mine, headers=bob)).status_code == 404
    )  # not even whether it exists
    for who in (alice, instructor):
        contract.check(
            "get",
            "/exams/{exam_id}/attempts",
            client.get(f"/api/v1/exams/{exam['id']}/attempts", headers=who),
        )
    again = client.post(f"/api/v1/exams/{exam['id']}/attempts", headers=alice)
    assert (
        contract.check("post", "/exams/{exam_id}/attempts", again).status_code == 403
    )  # one attempt allowed

    name = started.json["questions"][0]["name"]
    question = client.get(f"{mine}/questions/{name}", headers=alice)
    assert (
        contract.check("get", "/attempts/{attempt_id}/questions/{name}", question).mimetype
        == "application/x-ipynb+json"
    )
    answer = "/attempts/{attempt_id}/answers/{name}"
    saved = contract.check(
        "put", answer, client.put(f"{mine}/answers/{name}", headers=alice, data=question.data)
    )
    assert saved.status_code == 200 and saved.json["bytes"] == len(question.data)
    assert (
        contract.check(
            "put", answer, client.put(f"{mine}/answers/{name}", headers=alice, data=b"{}")
        ).status_code
        == 422
    )
    assert (
        contract.check(
            "put", answer, client.put(f"{mine}/answers/nope.ipynb", headers=alice, data=question.data)
        ).status_code
        == 404
    )

    not_stopped = contract.check(
        "post", "/attempts/{attempt_id}/resume", client.post(f"{mine}/resume", headers=alice)
    )
    assert not_stopped.status_code == 409 and not_stopped.json["error"] == "illegal_transition"
    extended = client.post(f"{mine}/extend", headers=instructor, json={"minutes": 10, "reason": "fire alarm"})
    assert contract.check("post", "/attempts/{attempt_id}/extend", extended).json["extension_seconds"] == 600
    learner_extends = client.post(f"{mine}/extend", headers=alice, json={"minutes": 10, "reason": "please"})
    assert contract.check("post", "/attempts/{attempt_id}/extend", learner_extends).status_code == 403
    stopped = client.post(f"{mine}/interrupt", headers=instructor, json={"reason": "power cut"})
    assert (
        contract.check("post", "/attempts/{attempt_id}/interrupt", stopped).json["remaining_when_interrupted"]
        == 4200
    )
    resumed = contract.check(
        "post", "/attempts/{attempt_id}/resume", client.post(f"{mine}/resume", headers=alice)
    )
    assert resumed.json["state"] == "started" and resumed.json["questions"][0]["saved_at"]
    submitted = contract.check(
        "post", "/attempts/{attempt_id}/submit", client.post(f"{mine}/submit", headers=alice)
    )
    assert submitted.status_code == 202 and submitted.json["submission_id"]
    twice = contract.check(
        "post", "/attempts/{attempt_id}/submit", client.post(f"{mine}/submit", headers=alice)
    )
    assert twice.status_code == 409 and twice.json["error"] == "illegal_transition"
    early = client.post(f"{mine}/review", headers=instructor, json={"decision": "verify", "reason": "fine"})
    assert (
        contract.check("post", "/attempts/{attempt_id}/review", early).json["error"] == "illegal_transition"
    )
    events = contract.check(
        "get", "/attempts/{attempt_id}/events", client.get(f"{mine}/events", headers=instructor)
    )
    assert [e["event"] for e in events.json] == ["create", "start", "extend", "fail", "resume", "submit"]
    assert events.json[0]["from"] is None

    late = start("bob").json
    clock.advance(minutes=62)
    refused = client.post(f"/api/v1/attempts/{late['id']}/submit", headers=bob)
    assert contract.check("post", "/attempts/{attempt_id}/submit", refused).json["error"] == "deadline_passed"
    late_name = late["questions"][0]["name"]
    too_late = client.put(
        f"/api/v1/attempts/{late['id']}/answers/{late_name}", headers=bob, data=question.data
    )
    assert contract.check("put", answer, too_late).json["error"] == "deadline_passed"


def test_proctoring_reviews_fit_the_contract(
    client: FlaskClient,
    contract: Contract,
    start: Post,
    store: Store,
    clock: FakeClock,
    instructor: dict[str, str],
    alice: dict[str, str],
) -> None:
    provider = client.post(
        "/api/v1/platforms", headers=ADMIN, json={"id": "proctorio", "courses": ["ds101"]}
    ).json
    attempt = start("alice").json
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=alice)
    path = "/proctoring/{platform_id}/reviews"

    def review(review_id: str, outcome: str, attempt_id: str = attempt["id"]) -> TestResponse:
        body = json.dumps(
            {
                "review_id": review_id,
                "attempt_id": attempt_id,
                "outcome": outcome,
                "evidence": [{"kind": "video", "at": "00:12:31"}],
                "comments": "looked away",
            }
        ).encode()
        return client.post(
            "/api/v1/proctoring/proctorio/reviews",
            data=body,
            content_type="application/json",
            headers=signed_headers(provider["secret"], int(clock().timestamp()), body),
        )

    first = contract.check("post", path, review("r1", "violation"))
    assert (first.status_code, first.json["attempt_state"], first.json["repeat"]) == (202, "submitted", False)
    repeat = contract.check("post", path, review("r1", "violation"))
    assert (repeat.status_code, repeat.json["repeat"]) == (200, True)
    assert contract.check("post", path, review("r2", "lost")).status_code == 400
    assert contract.check("post", path, review("r3", "clean", "nope")).status_code == 404
    unsigned = client.post("/api/v1/proctoring/proctorio/reviews", json={"review_id": "x"})
    assert contract.check("post", path, unsigned).status_code == 401

    sid = store.get_attempt(attempt["id"]).submission_id or ""
    store.claim_submission(sid)
    store.save_grade(sid, {"score": 1.0, "max_score": 3.0, "cells": []}, "", {})
    attempt_graded(store, sid, clock())
    decided = client.post(
        f"/api/v1/attempts/{attempt['id']}/review",
        headers=instructor,
        json={"decision": "reject", "reason": "phone visible"},
    )
    assert contract.check("post", "/attempts/{attempt_id}/review", decided).json["state"] == "rejected"
    contract.check(
        "get", "/attempts/{attempt_id}", client.get(f"/api/v1/attempts/{attempt['id']}", headers=alice)
    )


def test_programmes_fit_the_contract(
    client: FlaskClient, contract: Contract, instructor: dict[str, str]
) -> None:
    created = contract.check("post", "/programmes", post_programme(client, PROGRAMME))
    assert created.status_code == 201, created.json
    assert created.json["id"] == "mm-ds" and created.json["courses"][0]["weights"] == {
        "assignments": 1.0,
        "exam": 0.0,
    }
    invalid = contract.check(
        "post", "/programmes", post_programme(client, {**PROGRAMME, "id": "Bad Id", "electives_needed": -1})
    )
    assert (
        invalid.status_code == 422
        and invalid.json["error"] == "invalid_programme"
        and len(invalid.json["problems"]) >= 2
    )
    assert contract.check("post", "/programmes", post_programme(client, PROGRAMME)).status_code == 409
    listed = contract.check("get", "/programmes", client.get("/api/v1/programmes", headers=instructor))
    assert [p["id"] for p in listed.json] == ["mm-ds"]
    contract.check(
        "get", "/programmes/{programme_id}", client.get("/api/v1/programmes/mm-ds", headers=instructor)
    )
    missing = client.get("/api/v1/programmes/nope", headers=instructor)
    assert contract.check("get", "/programmes/{programme_id}", missing).status_code == 404


def test_a_record_its_history_exports_and_share_links_fit_the_contract(
    client: FlaskClient,
    contract: Contract,
    graded: Callable[[float], str],
    store: Store,
    instructor: dict[str, str],
    alice: dict[str, str],
    bob: dict[str, str],
) -> None:
    graded(1.5)
    path, base = "/programmes/{programme_id}/records/{learner}", "/api/v1/programmes/mm-ds/records/alice"
    record = contract.check("get", path, client.get(base, headers=alice))
    assert record.status_code == 200 and record.json["record"]["courses"][0]["sources"], record.json
    assert (
        contract.check("get", path, client.get(base, headers=bob)).status_code == 404
    )  # not even whether it exists
    overridden = client.post(
        f"{base}/overrides",
        headers=instructor,
        json={"course": "ds101", "value": 95, "reason": "appeal upheld"},
    )
    assert contract.check("post", f"{path}/overrides", overridden).status_code == 201
    no_reason = client.post(f"{base}/overrides", headers=instructor, json={"course": "ds101", "value": 95})
    assert contract.check("post", f"{path}/overrides", no_reason).status_code == 400
    frozen = client.post(f"{base}/freeze", headers=instructor, json={"reason": "degree conferred"})
    assert contract.check("post", f"{path}/freeze", frozen).status_code == 201
    history = contract.check("get", f"{path}/history", client.get(f"{base}/history", headers=instructor))
    assert [e["kind"] for e in history.json["events"]] == ["grade", "override", "freeze"] and history.json[
        "intact"
    ]

    signed = contract.check("get", f"{path}/export.json", client.get(f"{base}/export.json", headers=alice))
    assert signed.status_code == 200 and signed.json["document"]["autogradeRecord"]["frozen"] is True
    csv = contract.check("get", f"{path}/export.csv", client.get(f"{base}/export.csv", headers=instructor))
    assert csv.mimetype == "text/csv" and b"ds101" in csv.data
    key = contract.check("get", "/records/public-key", client.get("/api/v1/records/public-key"))
    assert key.json["keys"][0]["kid"] == signed.json["proof"]["verificationMethod"]

    shares = f"{path}/shares"
    created = contract.check(
        "post", shares, client.post(f"{base}/shares", headers=alice, json={"label": "admissions"})
    )
    assert created.status_code == 201 and created.json["token"]
    assert (
        contract.check("post", shares, client.post(f"{base}/shares", headers=instructor)).status_code == 403
    )
    shared = contract.check(
        "get", "/shared/{token}", client.get(created.json["url"], headers={"User-Agent": "bot"})
    )
    assert shared.status_code == 200 and shared.json["document"]["autogradeRecord"]["learner"] == "alice"
    revoked = client.delete(f"{base}/shares/{created.json['id']}", headers=alice)
    assert contract.check("delete", f"{shares}/{{share_id}}", revoked).json["revoked_at"]
    assert contract.check("get", "/shared/{token}", client.get(created.json["url"])).status_code == 404
    listed = contract.check("get", shares, client.get(f"{base}/shares", headers=alice))
    assert [a["granted"] for a in listed.json[0]["access_log"]] == [True, False]

    with store.engine.begin() as connection:  # one stored event altered: no record, no export
        connection.execute(text("UPDATE record_events SET body = '{}' WHERE seq = 1"))
    assert contract.check("get", path, client.get(base, headers=alice)).status_code == 409
    assert (
        contract.check(
            "get", f"{path}/export.json", client.get(f"{base}/export.json", headers=alice)
        ).status_code
        == 409
    )
    assert (
        contract.check("get", f"{path}/history", client.get(f"{base}/history", headers=alice)).json[
            "first_broken_seq"
        ]
        == 1
    )


def test_each_kind_of_error_fits_the_contract(
    client: FlaskClient,
    contract: Contract,
    post_assignment: Post,
    assignment: dict[str, Any],
    post_submission: Post,
    alice: dict[str, str],
) -> None:
    unauthenticated = contract.check(
        "get", "/submissions/{submission_id}", client.get("/api/v1/submissions/x")
    )
    assert unauthenticated.status_code == 401 and unauthenticated.headers["WWW-Authenticate"].startswith(
        "Bearer"
    )
    forbidden = post_assignment(headers=alice)
    assert contract.check("post", "/assignments", forbidden).status_code == 403
    missing = client.get("/api/v1/submissions/x", headers=ADMIN)
    assert contract.check("get", "/submissions/{submission_id}", missing).status_code == 404
    no_course = post_assignment(course=None)
    assert contract.check("post", "/assignments", no_course).status_code == 400
    taken = post_assignment()
    assert contract.check("post", "/assignments", taken).status_code == 409
    not_a_notebook = post_submission(BAD_NOTEBOOKS["not JSON"])
    assert (
        contract.check("post", "/assignments/{assignment_id}/submissions", not_a_notebook).status_code == 422
    )
    huge = post_submission(b"x" * (MAX_UPLOAD * 2))
    assert contract.check("post", "/assignments/{assignment_id}/submissions", huge).status_code == 413


class Refusing:
    def hit(self, key: str) -> Quota:
        raise RateLimited("at most 1 submissions per 60 s for this token; try again in 42 s", 42)


def test_a_rate_limited_submission_fits_the_contract(
    app: Flask, client: FlaskClient, contract: Contract, assignment: dict[str, Any], alice: dict[str, str]
) -> None:
    app.extensions[EXTENSION] = dataclasses.replace(app.extensions[EXTENSION], limiter=Refusing())
    url = f"/api/v1/assignments/{assignment['id']}/submissions"
    refused = contract.check(
        "post",
        "/assignments/{assignment_id}/submissions",
        upload_file(client, url, alice, learner_bytes(), "hw.ipynb"),
    )
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "42")


def test_a_database_outage_fits_the_contract(
    client: FlaskClient, contract: Contract, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: Any, **kwargs: Any) -> Any:
        raise StorageError("the database failed: connection refused")

    monkeypatch.setattr(store, "get_submission", down)
    outage = contract.check(
        "get", "/submissions/{submission_id}", client.get("/api/v1/submissions/x", headers=ADMIN)
    )
    assert outage.status_code == 503 and outage.headers["Retry-After"]


# Inputs found while writing the contract that made the app answer 500. Fixed in web/:


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/platforms", b'{"id": "p", "name": "\\ud800", "courses": ["ds101"]}'),
        ("post", "/platforms", b'{"id": "p", "courses": ["\\udc00"]}'),
        ("post", "/platforms", b'{"id": "p", "courses": ["ds101"], "callback_url": "http://[::1/results"}'),
        ("post", "/platforms", b'{"id": "p", "courses": ["ds101"], "callback_url": "http://[zz]/results"}'),
    ],
)
def test_unstorable_text_and_malformed_urls_are_400s(
    client: FlaskClient,
    contract: Contract,
    method: str,
    path: str,
    body: bytes,
    row_counts: Callable[[], dict[str, int]],
) -> None:
    """A lone surrogate escape is valid JSON but no database can store it; urlsplit raises on a bad [IPv6] host."""
    before = row_counts()
    reply = client.open(
        f"/api/v1{path}", method=method.upper(), headers=ADMIN, data=body, content_type="application/json"
    )
    assert contract.check(method, path, reply).status_code == 400, reply.json
    assert row_counts() == before


def test_a_lone_surrogate_in_a_score_change_is_a_400(
    client: FlaskClient, contract: Contract, post_submission: Post, store: Store, instructor: dict[str, str]
) -> None:
    sid = post_submission().json["id"]
    grade(store, sid)
    reply = client.put(
        f"/api/v1/submissions/{sid}/cells/test_answer",
        headers=instructor,
        data=b'{"score": 1, "reason": "\\ud800"}',
        content_type="application/json",
    )
    assert contract.check("put", "/submissions/{submission_id}/cells/{grade_id}", reply).status_code == 400


# Found while fuzzing by hand; the faults were in grader/.


@pytest.mark.parametrize("late_policy", ["5", "true"])
def test_a_late_policy_that_is_not_a_list_is_a_400(
    post_assignment: Post, contract: Contract, late_policy: str
) -> None:
    reply = post_assignment(due="2030-03-08T12:00:00Z", late_policy=late_policy)
    assert contract.check("post", "/assignments", reply).status_code == 400


@pytest.mark.parametrize("due", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_due_date_outside_the_calendar_in_utc_is_a_400(
    post_assignment: Post, contract: Contract, due: str
) -> None:
    assert contract.check("post", "/assignments", post_assignment(due=due)).status_code == 400


def test_a_score_beyond_float_range_is_a_400(
    client: FlaskClient, contract: Contract, post_submission: Post, store: Store, instructor: dict[str, str]
) -> None:
    sid = post_submission().json["id"]
    grade(store, sid)
    reply = client.put(
        f"/api/v1/submissions/{sid}/cells/test_answer",
        headers=instructor,
        data=b'{"score": 1' + b"0" * 400 + b', "reason": "r"}',
        content_type="application/json",
    )
    assert contract.check("put", "/submissions/{submission_id}/cells/{grade_id}", reply).status_code == 400
