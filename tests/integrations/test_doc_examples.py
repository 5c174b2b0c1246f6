"""The integration guide's examples: what integrators copy is exactly what runs here.

Each example file in docs/examples/ is embedded in docs/integrations.md and compared byte
for byte, then run: the Python and shell signers must sign as integrations/signing.py
does and be accepted by the real app over HTTP; the verifiers must accept what the
service signs and refuse anything else. The shell examples need bash, openssl and curl:
if one is missing the test fails, it never skips.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from werkzeug.serving import make_server

from integrations.payloads import result_payload
from integrations.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature, signed_headers
from service.settings import Settings
from store import Store
from tests.builders import report_cell, stored_report
from tests.web.fakes import FakeEnqueuer
from tests.web.multipart import upload
from tests.web.notebook_builders import learner_bytes, source_bytes
from web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "integrations.md"
EXAMPLES = ROOT / "docs" / "examples"
EMBEDDED = re.compile(r"<!-- example: (?P<path>\S+) -->\n```\w*\n(?P<code>.*?)```\n<!-- /example -->", re.S)
SECRET = "whsec-for-the-doc-examples-0123456789"
ADMIN = {"Authorization": "Bearer admin-secret"}
BODIES = [
    b"",
    b'{"delivery_id": "d1"}',
    b"no newline at the end",
    b"a newline at the end\n",
    bytes(range(256)),
]


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"doc_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def need(program: str) -> str:
    """The program's path; a missing one fails the test, since integrators are told to use it."""
    path = shutil.which(program)
    if path is None:
        pytest.fail(
            f"'{program}' is not installed: the shell examples in docs/examples/ need bash, openssl and curl"
        )
    return path


def run(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, check=False
    )


def run_submit(kind: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    if kind == "py":
        return run(sys.executable, EXAMPLES / "sign_and_submit.py", *args)
    need("openssl")
    need("curl")
    return run(need("bash"), EXAMPLES / "sign_and_submit.sh", *args)


def verify_sh(
    secret: str, headers: dict[str, str], body_file: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    need("openssl")
    return run(
        need("bash"),
        EXAMPLES / "verify_callback.sh",
        secret,
        headers[TIMESTAMP_HEADER],
        headers[SIGNATURE_HEADER],
        body_file,
        *extra,
    )


def reply_of(result: subprocess.CompletedProcess[str]) -> tuple[str, dict[str, Any]]:
    """(status line, JSON reply) from what a submit example printed."""
    status, _, rest = result.stdout.partition("\n")
    return status, json.loads(rest)


# --- the guide embeds the example files, unchanged ---------------------------------------


def test_the_guide_embeds_every_example_file_exactly() -> None:
    blocks = {match["path"]: match["code"] for match in EMBEDDED.finditer(GUIDE.read_text(encoding="utf-8"))}
    files = {f"docs/examples/{path.name}" for path in EXAMPLES.iterdir() if path.suffix in (".py", ".sh")}
    assert set(blocks) == files, "each file in docs/examples/ is embedded in docs/integrations.md once"
    for path, code in blocks.items():
        assert code == (ROOT / path).read_text(encoding="utf-8"), (
            f"the guide's copy of {path} differs from the file: paste the file between its markers"
        )


# --- signing ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", BODIES)
def test_the_python_signer_signs_as_the_service_does(body: bytes) -> None:
    sign = load_example("sign_and_submit").sign
    for timestamp in (0, 1_764_380_000, int(time.time())):
        assert sign(SECRET, timestamp, body) == signature(SECRET, timestamp, body)


@pytest.mark.parametrize("body", BODIES)
def test_the_openssl_pipeline_computes_the_services_signature(tmp_path: Path, body: bytes) -> None:
    body_file = tmp_path / "body"
    body_file.write_bytes(body)
    result = verify_sh(SECRET, signed_headers(SECRET, int(time.time()), body), body_file)
    assert result.returncode == 0, result.stderr


@dataclass
class Captured:
    headers: dict[str, str]
    body: bytes


@pytest.fixture
def capture() -> Iterator[tuple[str, list[Captured]]]:
    """A stand-in server that keeps each request's headers and raw body and answers 202."""
    seen: list[Captured] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(Captured(dict(self.headers.items()), body))
            reply = b'{"id": "captured"}'
            self.send_response(202)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("kind", ["py", "sh"])
def test_each_submit_example_signs_the_exact_bytes_it_sends(
    kind: str, capture: tuple[str, list[Captured]], tmp_path: Path
) -> None:
    url, seen = capture
    notebook, content = tmp_path / "hw1.ipynb", learner_bytes()
    notebook.write_bytes(content)
    learner = 'o\'brien "the \\ great"'  # quotes and a backslash must be escaped in the JSON body
    result = run_submit(kind, url + "/", "lms", SECRET, "a-1", learner, "lms-sub-9", notebook)
    assert result.returncode == 0, result.stdout + result.stderr
    assert reply_of(result) == ("HTTP 202", {"id": "captured"})
    (request,) = seen
    timestamp = int(request.headers[TIMESTAMP_HEADER])
    assert abs(time.time() - timestamp) < 60
    assert request.headers[SIGNATURE_HEADER] == signature(SECRET, timestamp, request.body)
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {
        "external_id": "lms-sub-9",
        "assignment_id": "a-1",
        "learner": learner,
        "filename": "hw1.ipynb",
        "notebook": json.loads(content),
    }


# --- end to end against the real app -----------------------------------------------------


@dataclass
class Service:
    url: str
    store: Store
    enqueuer: FakeEnqueuer
    secret: str
    assignment_id: str


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """The real app over real HTTP on a temporary SQLite store, with a platform and an assignment."""
    settings = Settings(
        data_dir=str(tmp_path / "data"),
        admin_token=ADMIN["Authorization"].removeprefix("Bearer "),
        redis_url="redis://127.0.0.1:1/0",
        rate_limit_submissions=0,
    )
    enqueuer = FakeEnqueuer()
    app = create_app(settings, enqueuer=enqueuer)
    client = app.test_client()
    platform = client.post(
        "/api/v1/platforms",
        headers=ADMIN,
        json={
            "id": "lms",
            "name": "The LMS",
            "callback_url": "https://lms.example/results",
            "courses": ["ds101"],
        },
    )
    assert platform.status_code == 201, platform.json
    secret: str = platform.json["secret"]
    assignment = upload(
        client, "/api/v1/assignments", ADMIN, source_bytes(), "hw1.ipynb", course="ds101", name="hw1"
    )
    assert assignment.status_code == 201, assignment.json
    assignment_id: str = assignment.json["id"]
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield Service(
        f"http://127.0.0.1:{httpd.server_port}",
        app.extensions["autograde"].store,
        enqueuer,
        secret,
        assignment_id,
    )
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("kind", ["py", "sh"])
def test_each_submit_example_is_accepted_once_and_replayed_after(
    kind: str, service: Service, tmp_path: Path
) -> None:
    notebook = tmp_path / "hw1.ipynb"
    notebook.write_bytes(learner_bytes())
    args = (service.url, "lms", service.secret, service.assignment_id, "alice", f"lms-{kind}-1", notebook)

    first = run_submit(kind, *args)
    assert first.returncode == 0, first.stdout + first.stderr
    status, reply = reply_of(first)
    assert status == "HTTP 202"
    assert (reply["external_id"], reply["status"]) == (f"lms-{kind}-1", "queued")

    again = run_submit(kind, *args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert reply_of(again) == ("HTTP 200 (Idempotent-Replayed: true)", reply)

    (stored,) = service.store.list_submissions()
    assert (stored.id, stored.platform_id, stored.external_id, stored.learner) == (
        reply["id"],
        "lms",
        f"lms-{kind}-1",
        "alice",
    )
    assert service.enqueuer.calls == [(stored.id, "assignments")], "queued once, not once per call"

    notebook.write_bytes(learner_bytes("def answer():\n    return 41"))
    reused = run_submit(kind, *args)
    assert reused.returncode == 1
    assert reply_of(reused)[0] == "HTTP 409" and reply_of(reused)[1]["error"] == "conflict"


def test_the_python_and_shell_examples_send_the_same_work(service: Service, tmp_path: Path) -> None:
    """The same notebook under one external_id: the shell's call repeats the Python one."""
    notebook = tmp_path / "hw1.ipynb"
    notebook.write_bytes(learner_bytes())
    args = (service.url, "lms", service.secret, service.assignment_id, "alice", "lms-both", notebook)
    first, second = run_submit("py", *args), run_submit("sh", *args)
    assert reply_of(first)[0] == "HTTP 202", first.stdout + first.stderr
    assert reply_of(second) == ("HTTP 200 (Idempotent-Replayed: true)", reply_of(first)[1])


@pytest.mark.parametrize("kind", ["py", "sh"])
def test_a_wrong_secret_is_refused_with_bad_signature(kind: str, service: Service, tmp_path: Path) -> None:
    notebook = tmp_path / "hw1.ipynb"
    notebook.write_bytes(learner_bytes())
    result = run_submit(
        kind, service.url, "lms", "not-the-secret", service.assignment_id, "alice", "x", notebook
    )
    assert result.returncode == 1
    assert reply_of(result)[0] == "HTTP 401" and reply_of(result)[1]["error"] == "bad_signature"
    assert service.store.list_submissions() == []


# --- verifying callbacks ------------------------------------------------------------------


def payload(version: int = 1, delivery_id: str = "d-1") -> dict[str, Any]:
    report = stored_report(report_cell("test_answer", 2.0, 2.0, "passed"), max_score=2.0)
    submission = {
        "id": "s-1",
        "external_id": "lms-sub-1",
        "learner": "alice",
        "sha256": "0" * 64,
        "received_at": "2030-03-01T12:00:00+00:00",
        "on_time": True,
    }
    assignment = {"id": "a-1", "course": "ds101", "name": "hw1"}
    return result_payload(
        delivery_id, "lms", submission, assignment, version, report, "2030-03-01T12:01:00+00:00", None
    )


def callback_body(version: int = 1, delivery_id: str = "d-1") -> bytes:
    """As worker/deliveries.py encodes a delivery."""
    return json.dumps(payload(version, delivery_id), sort_keys=True, separators=(",", ":")).encode()


def test_verify_accepts_what_the_service_signs() -> None:
    verify = load_example("verify_callback").verify
    body, now = callback_body(), int(time.time())
    headers = signed_headers(SECRET, now, body)
    assert verify(SECRET, headers, body)
    assert verify(SECRET, {k.lower(): v for k, v in headers.items()}, body), (
        "header names are case-insensitive"
    )
    assert verify(SECRET, signed_headers(SECRET, now - 299, body), body)
    rotating = {
        **headers,
        SIGNATURE_HEADER: f"{signature('old-secret', now, body)}, {headers[SIGNATURE_HEADER]}",
    }
    assert verify(SECRET, rotating, body), "one of several signatures may match while a secret rotates"


@pytest.mark.parametrize(
    "case",
    [
        "tampered body",
        "wrong secret",
        "stale",
        "from the future",
        "moved timestamp",
        "no signature",
        "no timestamp",
        "timestamp not a number",
        "narrower window",
    ],
)
def test_verify_refuses_anything_else(case: str) -> None:
    verify = load_example("verify_callback").verify
    body, now = callback_body(), int(time.time())
    headers, window = signed_headers(SECRET, now, body), 300
    if case == "tampered body":
        body = body.replace(b'"score":2.0', b'"score":1.0', 1)
    elif case == "wrong secret":
        headers = signed_headers("someone-else", now, body)
    elif case == "stale":
        headers = signed_headers(SECRET, now - 400, body)
    elif case == "from the future":
        headers = signed_headers(SECRET, now + 400, body)
    elif case == "moved timestamp":
        headers[TIMESTAMP_HEADER] = str(now + 1)
    elif case == "no signature":
        del headers[SIGNATURE_HEADER]
    elif case == "no timestamp":
        del headers[TIMESTAMP_HEADER]
    elif case == "timestamp not a number":
        headers[TIMESTAMP_HEADER] = "yesterday"
    else:
        headers, window = signed_headers(SECRET, now - 100, body), 60
    assert verify(SECRET, headers, body, window) is False


def post_json(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_example_receiver_dedupes_and_keeps_the_newest_grade(capsys: pytest.CaptureFixture[str]) -> None:
    example = load_example("verify_callback")
    results = example.Results()
    server = example.make_receiver(SECRET, 0, results)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/results"
    try:
        first, newer = callback_body(1, "d-1"), callback_body(2, "d-2")

        def sign(body: bytes) -> dict[str, str]:
            return signed_headers(SECRET, int(time.time()), body)

        assert post_json(url, newer, sign(newer)) == 200
        assert post_json(url, first, sign(first)) == 200
        assert post_json(url, first, sign(first)) == 200, (
            "a repeated delivery is answered 2xx, or it is retried"
        )
        assert post_json(url, newer + b" ", sign(newer)) == 401
        assert post_json(url, newer, signed_headers("someone-else", int(time.time()), newer)) == 401
    finally:
        server.shutdown()
        server.server_close()
    assert results.seen == {"d-1", "d-2"}
    assert results.grades["s-1"]["version"] == 2
    assert capsys.readouterr().out.count("lms-sub-1") == 2, "each delivery is handled once"


def test_verify_callback_sh_accepts_a_signed_body_and_refuses_the_rest(tmp_path: Path) -> None:
    body_file = tmp_path / "callback.json"
    body_file.write_bytes(callback_body())
    now = int(time.time())
    headers = signed_headers(SECRET, now, callback_body())
    assert verify_sh(SECRET, headers, body_file).returncode == 0

    assert verify_sh("someone-else", headers, body_file).returncode == 1
    rotating = {
        **headers,
        SIGNATURE_HEADER: f"{signature('old-secret', now, callback_body())}, {headers[SIGNATURE_HEADER]}",
    }
    assert verify_sh(SECRET, rotating, body_file).returncode == 0
    assert verify_sh(SECRET, signed_headers(SECRET, now - 400, callback_body()), body_file).returncode == 1
    assert (
        verify_sh(SECRET, signed_headers(SECRET, now - 100, callback_body()), body_file, "60").returncode == 1
    )
    assert verify_sh(SECRET, {**headers, TIMESTAMP_HEADER: "yesterday"}, body_file).returncode == 1
    assert verify_sh(SECRET, {**headers, SIGNATURE_HEADER: "*"}, body_file).returncode == 1

    body_file.write_bytes(callback_body().replace(b'"score":2.0', b'"score":1.0', 1))
    tampered = verify_sh(SECRET, headers, body_file)
    assert tampered.returncode == 1 and "does not match" in tampered.stderr
