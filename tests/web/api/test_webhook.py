"""The signed intake webhook (web/api/webhook.py): HMAC checks, timestamps, idempotency keys, callbacks."""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from integrations.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from store import Store
from tests.web.fakes import FakeClock, FakeEnqueuer
from tests.web.notebook_builders import learner_bytes

ADMIN = {"Authorization": "Bearer admin-secret"}
CALLBACK = "https://lms.example:8443/results"


@pytest.fixture
def platform(client: FlaskClient) -> dict[str, Any]:
    reply = client.post(
        "/api/v1/platforms",
        headers=ADMIN,
        json={"id": "lms", "name": "The LMS", "callback_url": CALLBACK, "courses": ["ds101"]},
    )
    assert reply.status_code == 201, reply.json
    body: dict[str, Any] = reply.json
    return body


@pytest.fixture
def send(
    client: FlaskClient, platform: dict[str, Any], clock: FakeClock, assignment: dict[str, Any]
) -> Callable[..., Any]:
    """Sign and post a JSON call (fields override a valid default) as the platform, now."""

    def post(
        secret: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> Any:
        call = {
            "external_id": "lms-sub-1",
            "assignment_id": assignment["id"],
            "learner": "alice",
            "notebook": json.loads(learner_bytes()),
            **fields,
        }
        body = raw if raw is not None else json.dumps(call).encode()
        signed = signed_headers(secret or platform["secret"], int(clock().timestamp()), body)
        return client.post(
            "/api/v1/platforms/lms/submissions",
            data=body,
            headers={**signed, **(headers or {})},
            content_type="application/json",
        )

    return post


def test_a_signed_call_is_stored_and_queued(
    send: Callable[..., Any], store: Store, enqueuer: FakeEnqueuer
) -> None:
    reply = send()
    assert reply.status_code == 202, reply.json
    record = store.get_submission(reply.json["id"])
    assert (record.platform_id, record.external_id, record.learner) == ("lms", "lms-sub-1", "alice")
    assert record.callback_url is None  # the platform's registered URL is used
    assert enqueuer.calls == [(record.id, "assignments")]
    assert reply.headers["Location"] == reply.json["url"]


def test_repeats_and_replays_return_the_same_submission(
    send: Callable[..., Any],
    client: FlaskClient,
    store: Store,
    clock: FakeClock,
    platform: dict[str, Any],
    assignment: dict[str, Any],
) -> None:
    body = json.dumps(
        {
            "external_id": "lms-sub-1",
            "assignment_id": assignment["id"],
            "learner": "alice",
            "notebook": json.loads(learner_bytes()),
        }
    ).encode()
    first = send(raw=body)
    assert first.status_code == 202, first.json
    clock.advance(seconds=5)  # a retry by the platform: signed again, same body
    repeat = send(raw=body)
    assert repeat.status_code == 200, repeat.json
    assert (repeat.status_code, repeat.json["id"], repeat.headers["Idempotent-Replayed"]) == (
        200,
        first.json["id"],
        "true",
    )
    signed = signed_headers(platform["secret"], int(clock().timestamp()), body)
    replays = [
        client.post(
            "/api/v1/platforms/lms/submissions", data=body, headers=signed, content_type="application/json"
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in replays] == [200, 200]
    assert {r.json["id"] for r in replays} == {first.json["id"]}
    assert len(store.list_submissions()) == 1


def test_an_id_reused_for_different_work_is_a_conflict(send: Callable[..., Any], store: Store) -> None:
    assert send().status_code == 202
    reply = send(notebook=json.loads(learner_bytes("def answer():\n    return 41")))
    assert reply.status_code == 409 and "different submission" in reply.json["message"]
    assert send(learner="bob").status_code == 409
    assert len(store.list_submissions()) == 1


def test_concurrent_repeats_make_one_submission(
    app: Flask, send: Callable[..., Any], store: Store, assignment: dict[str, Any]
) -> None:
    barrier = threading.Barrier(6)
    replies: list[Any] = []
    body = json.dumps(
        {
            "external_id": "lms-sub-1",
            "assignment_id": assignment["id"],
            "learner": "alice",
            "notebook": json.loads(learner_bytes()),
        }
    ).encode()

    def post() -> None:
        with app.app_context():
            barrier.wait()
            replies.append(send(raw=body))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in replies) == [200] * 5 + [202]
    assert len({r.json["id"] for r in replies}) == 1
    assert len(store.list_submissions()) == 1


@pytest.mark.parametrize("case", ["tampered", "wrong secret", "no signature", "unknown platform"])
def test_unsigned_or_badly_signed_calls_are_401_and_store_nothing(
    case: str,
    send: Callable[..., Any],
    client: FlaskClient,
    row_counts: Callable[[], dict[str, int]],
    clock: FakeClock,
    platform: dict[str, Any],
) -> None:
    before = row_counts()
    if case == "tampered":
        body = json.dumps({"external_id": "x"}).encode()
        headers = signed_headers(platform["secret"], int(clock().timestamp()), body)
        reply = client.post(
            "/api/v1/platforms/lms/submissions",
            data=body + b" ",
            headers=headers,
            content_type="application/json",
        )
    elif case == "wrong secret":
        reply = send(secret="not-the-secret")
    elif case == "no signature":
        reply = client.post("/api/v1/platforms/lms/submissions", json={"external_id": "x"})
    else:
        reply = client.post("/api/v1/platforms/nobody/submissions", json={"external_id": "x"})
    assert reply.status_code == 401
    assert reply.json["error"] in ("bad_signature", "unauthenticated")
    assert reply.json["message"]
    assert row_counts() == before


@pytest.mark.parametrize("skew", [-400, 400])
def test_stale_and_future_timestamps_are_401(
    skew: int,
    client: FlaskClient,
    clock: FakeClock,
    platform: dict[str, Any],
    row_counts: Callable[[], dict[str, int]],
) -> None:
    before = row_counts()
    body = b'{"external_id": "x"}'
    headers = signed_headers(platform["secret"], int(clock().timestamp()) - skew, body)
    reply = client.post(
        "/api/v1/platforms/lms/submissions", data=body, headers=headers, content_type="application/json"
    )
    assert reply.status_code == 401 and reply.json["error"] == "stale_request"
    assert "300 s" in reply.json["message"]
    assert row_counts() == before


def test_a_replay_after_the_window_is_stale(
    send: Callable[..., Any], client: FlaskClient, clock: FakeClock, platform: dict[str, Any]
) -> None:
    body = b'{"external_id": "x"}'
    headers = signed_headers(platform["secret"], int(clock().timestamp()), body)
    clock.advance(seconds=301)
    reply = client.post(
        "/api/v1/platforms/lms/submissions", data=body, headers=headers, content_type="application/json"
    )
    assert reply.status_code == 401 and reply.json["error"] == "stale_request"


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"external_id": ""}, 400, "external_id"),
        ({"notebook": "not an object"}, 400, "'notebook'"),
        ({"notebook": None, "content_base64": "!!!", "filename": "hw.ipynb"}, 400, "base64"),
        ({"callback_url": "https://evil.example/steal"}, 400, "registered origin"),
        ({"assignment_id": "nope"}, 404, "nope"),
    ],
)
def test_bad_calls_say_what_is_wrong(
    send: Callable[..., Any], fields: dict[str, Any], status: int, message: str, store: Store
) -> None:
    reply = send(**fields)
    assert reply.status_code == status, reply.json
    assert message in reply.json["message"]
    assert store.list_submissions() == []


def test_a_course_outside_the_platform_is_403(
    send: Callable[..., Any], post_assignment: Callable[..., Any], token: Callable[..., dict[str, str]]
) -> None:
    other = post_assignment(course="other", name="hw9", headers=token("instructor", "x", ["other"])).json
    reply = send(assignment_id=other["id"])
    assert reply.status_code == 403 and "other" in reply.json["message"]


def test_base64_content_and_a_callback_on_the_registered_origin(
    send: Callable[..., Any], store: Store
) -> None:
    reply = send(
        notebook=None,
        content_base64=base64.b64encode(learner_bytes()).decode(),
        filename="hw.ipynb",
        callback_url="https://lms.example:8443/results?course=ds101",
    )
    assert reply.status_code == 202, reply.json
    assert (
        store.get_submission(reply.json["id"]).callback_url == "https://lms.example:8443/results?course=ds101"
    )


def test_multipart_calls_are_signed_over_the_raw_body(
    client: FlaskClient, platform: dict[str, Any], clock: FakeClock, assignment: dict[str, Any], store: Store
) -> None:
    builder = client.post  # build the exact multipart bytes first, then sign them
    boundary = "xYzBoundary"
    parts = [("external_id", "mp-1"), ("assignment_id", assignment["id"]), ("learner", "carol")]
    chunks = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in parts
    ]
    chunks.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="hw.ipynb"\r\n'
        "Content-Type: application/json\r\n\r\n".encode()
        + learner_bytes()
        + b"\r\n"
    )
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    headers = signed_headers(platform["secret"], int(clock().timestamp()), body)
    reply = builder(
        "/api/v1/platforms/lms/submissions",
        data=io.BytesIO(body).read(),
        headers=headers,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert reply.status_code == 202, reply.json
    assert store.get_submission(reply.json["id"]).learner == "carol"
    assert TIMESTAMP_HEADER in headers and SIGNATURE_HEADER in headers


def test_the_webhook_counts_against_the_platforms_rate_limit(
    settings: Any, enqueuer: FakeEnqueuer, clock: FakeClock, redis_conn: Any
) -> None:
    """Signed calls count (even ones refused later, like an unknown assignment); the third is 429."""
    from web import create_app
    from web.ratelimit import RedisRateLimiter

    limiter = RedisRateLimiter(redis_conn, limit=2, window=60, prefix="webhook-test:")
    client = create_app(settings, enqueuer=enqueuer, clock=clock, limiter=limiter).test_client()
    registered = client.post(
        "/api/v1/platforms", headers=ADMIN, json={"id": "lms", "courses": ["ds101"]}
    ).json
    codes = []
    for n in range(3):
        body = json.dumps(
            {
                "external_id": f"x{n}",
                "assignment_id": "missing",
                "learner": "a",
                "notebook": json.loads(learner_bytes()),
            }
        ).encode()
        headers = signed_headers(registered["secret"], int(clock().timestamp()), body)
        codes.append(
            client.post(
                "/api/v1/platforms/lms/submissions",
                data=body,
                headers=headers,
                content_type="application/json",
            )
        )
    assert [c.status_code for c in codes] == [404, 404, 429]
    assert int(codes[2].headers["Retry-After"]) >= 1 and codes[2].json["error"] == "rate_limited"
