"""Sign one submission and post it to autograde's intake webhook (Python 3 standard library only).

    python sign_and_submit.py BASE_URL PLATFORM_ID SECRET ASSIGNMENT_ID LEARNER EXTERNAL_ID NOTEBOOK.ipynb

Prints the HTTP status (and "Idempotent-Replayed: true" on a repeat), then the JSON reply.
Exits 0 on 200 or 202, 1 otherwise. Connection errors, 429 and 5xx are retried with the
same body and a fresh signature: that is safe, because EXTERNAL_ID makes a repeat return
the submission that is already stored instead of making a second one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request
from email.message import Message

ATTEMPTS = 5


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Autograde-Signature value: HMAC-SHA256 with the secret over b"<timestamp>." + body."""
    message = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def submission_body(assignment_id: str, learner: str, external_id: str, notebook_path: str) -> bytes:
    """The JSON body, encoded once: these exact bytes are signed and sent."""
    with open(notebook_path, encoding="utf-8") as f:
        notebook = json.load(f)
    call = {
        "external_id": external_id,  # your id for this piece of work: the idempotency key
        "assignment_id": assignment_id,
        "learner": learner,
        "filename": os.path.basename(notebook_path),
        "notebook": notebook,
    }
    return json.dumps(call).encode()


def post(url: str, secret: str, body: bytes) -> tuple[int, Message, bytes]:
    """One signed POST; the timestamp is taken now, since the server refuses stale ones."""
    timestamp = int(time.time())
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Autograde-Timestamp": str(timestamp),
            "X-Autograde-Signature": sign(secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def submit(base_url: str, platform_id: str, secret: str, body: bytes) -> tuple[int, Message, bytes]:
    """Post, retrying what may succeed later; other answers (2xx, 4xx but 429) are final."""
    url = f"{base_url.rstrip('/')}/api/v1/platforms/{platform_id}/submissions"
    attempt = 1
    while True:
        try:
            status, headers, reply = post(url, secret, body)
        except (urllib.error.URLError, TimeoutError) as error:
            if attempt == ATTEMPTS:
                raise
            wait, why = 2**attempt, str(error)
        else:
            if attempt == ATTEMPTS or not (status == 429 or status >= 500):
                return status, headers, reply
            wait, why = int(headers.get("Retry-After") or 2**attempt), f"HTTP {status}"
        print(f"attempt {attempt}: {why}; retrying in {wait} s", file=sys.stderr)
        time.sleep(wait)
        attempt += 1


def main(argv: list[str]) -> int:
    if len(argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    base_url, platform_id, secret, assignment_id, learner, external_id, notebook_path = argv
    body = submission_body(assignment_id, learner, external_id, notebook_path)
    status, headers, reply = submit(base_url, platform_id, secret, body)
    replayed = " (Idempotent-Replayed: true)" if headers.get("Idempotent-Replayed") == "true" else ""
    print(f"HTTP {status}{replayed}")
    try:
        print(json.dumps(json.loads(reply), indent=2))
    except ValueError:
        print(reply.decode(errors="replace"))
    return 0 if status in (200, 202) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
