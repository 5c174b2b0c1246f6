"""A platform's result receiver, run as its own process by the callback tests.

It checks each delivery's signature itself (plain hmac, not the service's code, so a bug
shared by signer and verifier cannot hide), refuses the first ``--refuse`` requests with
503 as a platform in trouble would, and appends every accepted delivery to a JSON-lines
file in the order it arrived.

    python tests/e2e/receiver.py --port P --secret S --record FILE [--refuse N]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WINDOW = 300


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--refuse", type=int, default=0)
    args = parser.parse_args()
    lock = threading.Lock()
    seen = {"requests": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                seen["requests"] += 1
                if seen["requests"] <= args.refuse:
                    return self.answer(503, {"error": "down for maintenance"})
                problem = check(args.secret, self.headers, body)
                entry = {
                    "accepted": problem is None,
                    "problem": problem,
                    "delivery": self.headers.get("X-Autograde-Delivery"),
                }
                if problem is None:
                    entry["payload"] = json.loads(body)
                with open(args.record, "a", encoding="utf-8") as out:
                    out.write(json.dumps(entry) + "\n")
            return self.answer(200 if problem is None else 401, {"ok": problem is None})

        def answer(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


def check(secret: str, headers: object, body: bytes) -> str | None:
    timestamp = headers.get("X-Autograde-Timestamp")  # type: ignore[attr-defined]
    offered = headers.get("X-Autograde-Signature", "")  # type: ignore[attr-defined]
    if not timestamp or abs(time.time() - int(timestamp)) > WINDOW:
        return "stale or missing timestamp"
    expected = "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(offered.encode(), expected.encode()):
        return "bad signature"
    return None


if __name__ == "__main__":
    main()
