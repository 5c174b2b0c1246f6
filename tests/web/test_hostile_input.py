"""Hostile input against the real app: each is a 4xx JSON answer, never a 500 (issue 18)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from grader.notebooks import MAX_CELLS
from integrations.signing import TIMESTAMP_HEADER
from service.settings import Settings
from tests.grader.test_notebooks import code_cell, notebook
from tests.grader.test_uploads import lying_bomb, make_zip, patched
from tests.web.api.test_exams import QUESTIONS, exam, start  # noqa: F401  (exam, start: fixtures)
from tests.web.api.test_webhook import platform, send  # noqa: F401  (fixtures)

ADMIN = {"Authorization": "Bearer admin-secret"}
Post = Callable[..., Any]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Room for a body nested 100,000 deep (600 KB) under the upload limit."""
    return settings.replace(max_upload_bytes=1_000_000)


HOSTILE_ZIPS = {
    "a zip lying about its size": lying_bomb,
    "an encrypted member": lambda: patched(make_zip({"hw.ipynb": b"{}"}), "flags", 0x1),
    "an unknown compression method": lambda: patched(make_zip({"hw.ipynb": b"{}"}), "method", 99),
    "a bad checksum": lambda: patched(make_zip({"hw.ipynb": b"{}" * 100}), "crc", 0),
    "mismatched member names": lambda: patched(
        make_zip({"hw.ipynb": b"{}"}), "name", b"xx.ipynb", central=False
    ),
}


@pytest.mark.parametrize("build", HOSTILE_ZIPS.values(), ids=HOSTILE_ZIPS.keys())
def test_a_hostile_zip_submission_is_a_json_400(post_submission: Post, build: Callable[[], bytes]) -> None:
    response = post_submission(build(), filename="hw.zip")
    assert (response.status_code, response.json["error"]) == (400, "bad_input")


@pytest.mark.parametrize("build", HOSTILE_ZIPS.values(), ids=HOSTILE_ZIPS.keys())
def test_a_hostile_zip_assignment_is_a_json_400(post_assignment: Post, build: Callable[[], bytes]) -> None:
    response = post_assignment(build(), filename="hw.zip")
    assert (response.status_code, response.json["error"]) == (400, "bad_input")


# -- deep nesting and huge integers ----------------------------------------------------------

DEEP = 100_000
DEEP_ARRAY = b"[" * DEEP + b"]" * DEEP
DEEP_OBJECT = b'{"a":' * DEEP + b"1" + b"}" * DEEP
DEEP_YAML_SPEC = b"title: " + b"[" * 50_000 + b"]" * 50_000 + b"\n"
HUGE_INTEGER = "9" * 5000  # past Python's 4,300-digit limit for int(str)


def is_json_4xx(response: Any) -> bool:
    return 400 <= response.status_code < 500 and "error" in response.json


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_a_notebook_nested_100000_deep_is_a_4xx(post_submission: Post, body: bytes) -> None:
    assert is_json_4xx(post_submission(body, filename="hw.ipynb"))


def test_a_json_body_nested_100000_deep_is_a_4xx(
    client: FlaskClient, alice: dict[str, str], exam: dict[str, Any]
) -> None:
    started = client.post(
        f"/api/v1/exams/{exam['id']}/attempts",
        headers=alice,
        data=DEEP_OBJECT,
        content_type="application/json",
    )
    assert is_json_4xx(started)


def test_an_answer_nested_100000_deep_is_a_4xx(
    client: FlaskClient, start: Post, alice: dict[str, str]
) -> None:
    attempt = start().json
    question = attempt["questions"][0]["name"]
    reply = client.put(f"/api/v1/attempts/{attempt['id']}/answers/{question}", data=DEEP_ARRAY, headers=alice)
    assert is_json_4xx(reply)


def test_a_share_request_nested_100000_deep_is_a_4xx(client: FlaskClient, alice: dict[str, str]) -> None:
    reply = client.post(
        "/api/v1/programmes/mm-ds/records/alice/shares",
        headers=alice,
        data=DEEP_OBJECT,
        content_type="application/json",
    )
    assert is_json_4xx(reply)


def test_a_signed_webhook_nested_100000_deep_is_a_4xx(send: Post) -> None:
    assert is_json_4xx(send(raw=DEEP_OBJECT))


@pytest.mark.parametrize("timestamp", ["1" * 5000, "9" * 100_000], ids=["5000 digits", "100000 digits"])
def test_an_over_long_signed_timestamp_is_a_401(send: Post, timestamp: str) -> None:
    reply = send(headers={TIMESTAMP_HEADER: timestamp})
    assert reply.status_code in (400, 401) and "error" in reply.json


@pytest.mark.parametrize(
    "spec",
    [
        DEEP_YAML_SPEC,
        b"[" * DEEP + b"]" * DEEP,
        f"title: Final\ntime_limit_minutes: {HUGE_INTEGER}\n".encode(),
    ],
    ids=["yaml 50000 deep", "json 100000 deep", "huge integer"],
)
def test_a_hostile_exam_spec_is_a_4xx(client: FlaskClient, instructor: dict[str, str], spec: bytes) -> None:
    form = {
        "course": "ds101",
        "name": "deep",
        "spec": (io.BytesIO(spec), "exam.yaml"),
        "questions": [(io.BytesIO(body), name) for name, body in QUESTIONS.items()],
    }
    assert is_json_4xx(
        client.post("/api/v1/exams", headers=instructor, data=form, content_type="multipart/form-data")
    )


@pytest.mark.parametrize(
    "spec",
    [DEEP_YAML_SPEC, f"id: x\ntitle: X\nelectives_needed: {HUGE_INTEGER}\n".encode()],
    ids=["yaml 50000 deep", "huge integer"],
)
def test_a_hostile_programme_spec_is_a_4xx(client: FlaskClient, spec: bytes) -> None:
    form = {"spec": (io.BytesIO(spec), "programme.yaml")}
    assert is_json_4xx(
        client.post("/api/v1/programmes", headers=ADMIN, data=form, content_type="multipart/form-data")
    )


def test_a_json_integer_past_the_digit_limit_is_a_4xx(
    client: FlaskClient, alice: dict[str, str], exam: dict[str, Any]
) -> None:
    body = f'{{"access_code": {HUGE_INTEGER}}}'.encode()
    started = client.post(
        f"/api/v1/exams/{exam['id']}/attempts", headers=alice, data=body, content_type="application/json"
    )
    assert is_json_4xx(started)


# -- safer defaults ---------------------------------------------------------------------------


def test_api_json_is_never_cached_or_sniffed(client: FlaskClient, alice: dict[str, str]) -> None:
    for reply in (
        client.get("/api/v1/health"),
        client.get("/api/v1/exams?course=ds101", headers=alice),
        client.get("/api/v1/nothing-here", headers=ADMIN),
    ):
        assert reply.headers["Cache-Control"] == "no-store"
        assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_a_platform_token_cannot_read_a_learners_accommodation(
    client: FlaskClient, instructor: dict[str, str], token: Callable[..., dict[str, str]]
) -> None:
    url = "/api/v1/courses/ds101/accommodations/alice"
    assert (
        client.put(url, headers=instructor, json={"time_multiplier": 1.5, "note": "medical"}).status_code
        == 200
    )
    reply = client.get(url, headers=token("platform", "lms", ["ds101"]))
    assert (reply.status_code, reply.json["error"]) == (403, "forbidden")


def test_a_notebook_with_too_many_cells_is_refused_at_intake(post_submission: Post) -> None:
    reply = post_submission(notebook([code_cell(i) for i in range(MAX_CELLS + 1)]), filename="hw.ipynb")
    assert (reply.status_code, reply.json["error"]) == (422, "invalid_notebook")
    assert f"more than {MAX_CELLS}" in reply.json["message"]
