"""Posting one result: any 2xx is delivered; a redirect, an error or a dead host is an answer, never an exception."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from worker.callback_http import USER_AGENT, post_result


class Receiver(BaseHTTPRequestHandler):
    """Answers each path as it names: /ok, /redirect, /busy, /busy-date, /fail."""

    seen: list[tuple[str, bytes, str]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.path, body, self.headers["User-Agent"]))
        status, headers = {
            "/ok": (204, {}),
            "/redirect": (307, {"Location": "/ok"}),
            "/busy": (429, {"Retry-After": "17"}),
            "/busy-date": (503, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}),
        }.get(self.path, (500, {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        body = b"" if status < 300 else b"x" * 2000
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)  # a quick shutdown
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_2xx_is_delivered_with_our_headers(receiver: str) -> None:
    answer = post_result(f"{receiver}/ok", b'{"a": 1}', {"X-Signature": "s"}, timeout=10)
    assert (answer.ok, answer.status_code, answer.error) == (True, 204, "")
    assert Receiver.seen == [("/ok", b'{"a": 1}', USER_AGENT)]


def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver: str) -> None:
    answer = post_result(f"{receiver}/redirect", b"{}", {}, timeout=10)
    assert (answer.ok, answer.status_code) == (False, 307)
    assert [path for path, _, _ in Receiver.seen] == ["/redirect"]  # nothing went where it pointed


def test_retry_after_in_seconds_is_kept_and_a_date_is_ignored(receiver: str) -> None:
    assert post_result(f"{receiver}/busy", b"{}", {}, timeout=10).retry_after == 17.0
    assert post_result(f"{receiver}/busy-date", b"{}", {}, timeout=10).retry_after is None


def test_an_error_keeps_a_short_excerpt_of_the_receivers_answer(receiver: str) -> None:
    answer = post_result(f"{receiver}/fail", b"{}", {}, timeout=10)
    assert not answer.ok and answer.error.startswith("HTTP 500: ") and len(answer.error) <= 310


def test_a_host_that_refuses_is_an_answer_not_an_exception(receiver: str) -> None:
    closed = receiver.rsplit(":", 1)[0] + ":1"
    answer = post_result(f"{closed}/ok", b"{}", {}, timeout=10)
    assert (answer.ok, answer.status_code) == (False, None) and "ConnectionError" in answer.error
