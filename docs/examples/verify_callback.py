"""Check that a result callback comes from autograde, and a tiny receiver (Python 3 standard library only).

verify(secret, headers, body) is the whole check: copy it into your own web framework and
give it the raw request body, before any JSON parsing. Run this file for a receiver:

    AUTOGRADE_SECRET=<your platform secret> python verify_callback.py PORT

It answers 401 to a request that is not correctly signed and 200 to one that is, prints
each new result, skips a delivery it has already seen, and keeps each submission's newest
grade. It keeps them in memory; a real receiver keeps them in its database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Headers = Mapping[str, str] | Message  # a dict, or http.server's request headers


def verify(secret: str, headers: Headers, body: bytes, window: int = 300) -> bool:
    """True if ``body`` was signed with ``secret`` at most ``window`` seconds from now."""
    timestamp = (header(headers, "X-Autograde-Timestamp") or "").strip()
    offered = header(headers, "X-Autograde-Signature") or ""
    try:
        if abs(time.time() - int(timestamp)) > window:
            return False  # stale: an old request replayed, or a clock far off
    except ValueError:
        return False  # missing, or not whole Unix seconds
    message = timestamp.encode() + b"." + body
    expected = "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    # Several comma-separated signatures may come while a secret is being rotated.
    return any(hmac.compare_digest(part.strip().encode(), expected.encode()) for part in offered.split(","))


def header(headers: Headers, name: str) -> str | None:
    """A header by name, whatever the case of the keys in ``headers``."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value


class Results:
    """What the receiver keeps: the delivery ids seen, and each submission's newest grade."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.grades: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def record(self, payload: dict[str, Any]) -> bool:
        """False for a delivery already recorded (deliveries are at least once)."""
        with self.lock:
            if payload["delivery_id"] in self.seen:
                return False
            self.seen.add(payload["delivery_id"])
            grade, submission = payload["grade"], payload["submission"]["id"]
            newest = self.grades.get(submission)
            # grade.failed carries no grade: keep the one you had, if any.
            if grade is not None and (newest is None or grade["version"] > newest["version"]):
                self.grades[submission] = grade
            return True


def describe(payload: dict[str, Any]) -> str:
    submission, grade = payload["submission"], payload["grade"] or {}
    score = f"{grade['score']}/{grade['max_score']} v{grade['version']}" if grade else payload["error"]
    return f"{payload['event']} {submission['external_id']} {submission['learner']}: {score}"


def make_receiver(secret: str, port: int, results: Results) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not verify(secret, self.headers, body):
                return self.answer(401)
            payload = json.loads(body)
            if results.record(payload):  # record first (in your database), then answer
                print(describe(payload), flush=True)
            self.answer(200)  # at once: do slow work (your gradebook) after answering

        def answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("", port), Handler)


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.environ.get("AUTOGRADE_SECRET"):
        sys.exit(__doc__)
    make_receiver(os.environ["AUTOGRADE_SECRET"], int(sys.argv[1]), Results()).serve_forever()
