"""The HTTP client of Dynamic Registration against a real local server: no redirect followed, bodies
bounded while read, the platform's error words repeated briefly and its body never."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from grader.errors import UpstreamError
from web.lti.registration_client import HttpPlatformClient

SEEN: list[dict[str, Any]] = []


def answer(request: Request) -> Response:
    SEEN.append(
        {"path": request.path, "auth": request.headers.get("Authorization"), "body": request.get_data()}
    )
    if request.path == "/redirect":
        return Response("", status=302, headers={"Location": "/ok"})
    if request.path == "/big":
        return Response(b"{" + b" " * 5000 + b"}", mimetype="application/json")
    if request.path == "/refused":
        body = {"error": "invalid_token", "error_description": "expired " + "x" * 500, "secret": "inside"}
        return Response(json.dumps(body), status=401, mimetype="application/json")
    if request.path == "/html":
        return Response("<p>internal admin page</p>", status=500)
    return Response(json.dumps({"ok": True}), mimetype="application/json")


@pytest.fixture
def base() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, lambda env, start: answer(Request(env))(env, start), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    SEEN.clear()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_json_is_read_and_the_bearer_sent_only_when_given(base: str) -> None:
    client = HttpPlatformClient()
    assert client.get_json(base + "/ok") == {"ok": True}
    assert client.post_json(base + "/ok", {"a": 1}, "tok") == {"ok": True}
    assert client.post_json(base + "/ok", {"a": 1}, None) == {"ok": True}
    assert [seen["auth"] for seen in SEEN] == [None, "Bearer tok", None]
    assert json.loads(SEEN[1]["body"]) == {"a": 1}


def test_a_redirect_is_not_followed(base: str) -> None:
    with pytest.raises(UpstreamError, match="answered 302"):
        HttpPlatformClient().post_json(base + "/redirect", {}, "tok")
    assert [seen["path"] for seen in SEEN] == ["/redirect"]  # the token went nowhere else


def test_a_body_over_the_limit_is_refused(base: str) -> None:
    with pytest.raises(UpstreamError, match="more than 1000 bytes"):
        HttpPlatformClient(max_bytes=1000).get_json(base + "/big")
    assert HttpPlatformClient(max_bytes=10_000).get_json(base + "/big") == {}


def test_a_refusal_repeats_the_platform_s_error_words_briefly_and_never_its_body(base: str) -> None:
    with pytest.raises(UpstreamError) as refused:
        HttpPlatformClient().post_json(base + "/refused", {}, "tok")
    assert "answered 401: expired" in refused.value.message and "inside" not in refused.value.message
    assert len(refused.value.message) < 300
    with pytest.raises(UpstreamError) as html:
        HttpPlatformClient().get_json(base + "/html")
    assert "answered 500" in html.value.message and "internal" not in html.value.message


def test_an_unreachable_platform_is_a_502_not_a_crash() -> None:
    with pytest.raises(UpstreamError, match="could not be reached"):
        HttpPlatformClient(timeout=2).get_json("http://127.0.0.1:1/x")
