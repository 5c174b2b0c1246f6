"""The demo: start the web app and a worker, grade the bundled example course over HTTP.

Everything runs on the embedded defaults (SQLite under ``var/demo``, the local Redis, the
local Docker engine). The demo prints a score table next to the scores the course expects
and exits non-zero if any differ, so it doubles as a smoke test of a fresh install.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COURSE = ROOT / "examples" / "course"
GRADING_DEADLINE = 600.0


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A service process in a process group of its own, which ``Services.stop`` ends whole."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


@dataclass
class Services:
    processes: list[subprocess.Popen[bytes]]

    def stop(self, timeout: float = 20) -> None:
        """Ask each process to stop, give it ``timeout`` seconds, then kill it and what it started.

        A worker killed at the timeout leaves RQ's scheduler process behind, which would go on
        holding its queues' scheduler locks in Redis for as long as the machine runs (a test
        suite's later Redis checks saw one). Every process here was started by ``spawn`` and
        leads its own group, so killing the group ends such leftovers.
        """
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with contextlib.suppress(ProcessLookupError):  # the group's id is its leader's pid
                os.killpg(process.pid, signal.SIGKILL)


def run(settings: Settings, course: Path | None, port: int) -> int:
    course = course or DEFAULT_COURSE
    manifest = json.loads((course / "course.json").read_text())
    data_dir = Path(settings.data_dir) / "demo"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = demo_environment(settings, data_dir)
    base = f"http://127.0.0.1:{port}"
    services = start_services(env, port, data_dir)
    try:
        wait_until_healthy(base, services)
        api = Api(base, env["AUTOGRADE_ADMIN_TOKEN"])
        ids = {
            a["name"]: api.upload_assignment(manifest["course"], a, course) for a in manifest["assignments"]
        }
        pending = [(s, api.submit(ids[s["assignment"]], s, course)) for s in manifest["submissions"]]
        results = api.wait_for_grades([sid for _, sid in pending], GRADING_DEADLINE)
    finally:
        services.stop()
    return print_table(manifest["course"], pending, results)


def demo_environment(settings: Settings, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AUTOGRADE_DATA_DIR=str(data_dir),
        AUTOGRADE_DATABASE_URL=f"sqlite:///{data_dir / 'autograde.db'}",
        AUTOGRADE_REDIS_URL=settings.redis_url,
        AUTOGRADE_QUEUE_PREFIX=f"autograde-demo-{secrets.token_hex(4)}",
        AUTOGRADE_ADMIN_TOKEN=secrets.token_urlsafe(24),
        AUTOGRADE_CELL_TIMEOUT=str(min(settings.cell_timeout, 10.0)),
    )
    return env


def start_services(env: dict[str, str], port: int, data_dir: Path) -> Services:
    command = [sys.executable, "-m", "autograde"]
    web = spawn([*command, "serve", "--port", str(port)], env, data_dir / "web.log")
    worker = spawn([*command, "worker", "--name", "demo-worker"], env, data_dir / "worker.log")
    print(
        f"web app on http://127.0.0.1:{port} (log {data_dir / 'web.log'}), worker (log {data_dir / 'worker.log'})"
    )
    return Services([web, worker])


def wait_until_healthy(base: str, services: Services, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in services.processes):
            raise SystemExit("a demo process exited early; see the logs above")
        try:
            if requests.get(f"{base}/api/v1/health", timeout=5).ok:
                return
        except requests.RequestException:
            pass  # still starting
        time.sleep(0.3)
    raise SystemExit("the web app did not come up in time")


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def upload_assignment(self, course: str, spec: dict[str, Any], root: Path) -> str:
        name, payload = read_upload(root / spec["source"])
        form = {"course": course, "name": spec["name"]}
        if spec.get("due"):
            form["due"] = spec["due"]
            form["late_policy"] = json.dumps(spec.get("late_policy", []))
        reply = self.session.post(
            f"{self.base}/api/v1/assignments", data=form, files={"file": (name, payload)}, timeout=60
        )
        check(reply, 201)
        body = reply.json()
        print(
            f"uploaded {course}/{spec['name']}: max score {body['max_score']:g}, {len(body['grade_cells'])} grade cells"
        )
        return str(body["id"])

    def submit(self, assignment_id: str, spec: dict[str, Any], root: Path) -> str:
        path = root / spec["file"]
        reply = self.session.post(
            f"{self.base}/api/v1/assignments/{assignment_id}/submissions",
            data={"learner": spec["learner"]},
            files={"file": (path.name, path.read_bytes())},
            timeout=60,
        )
        check(reply, 202)
        return str(reply.json()["id"])

    def wait_for_grades(self, ids: list[str], timeout: float) -> dict[str, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        done: dict[str, dict[str, Any]] = {}
        while len(done) < len(ids) and time.monotonic() < deadline:
            for sid in ids:
                if sid not in done:
                    body = self.session.get(f"{self.base}/api/v1/submissions/{sid}", timeout=10).json()
                    if body["status"] in ("graded", "failed"):
                        done[sid] = body
            time.sleep(0.5)
        return done


def read_upload(path: Path) -> tuple[str, bytes]:
    if path.is_file():
        return path.name, path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(path).as_posix())
    return f"{path.name}.zip", buffer.getvalue()


def check(reply: requests.Response, status: int) -> None:
    if reply.status_code != status:
        raise SystemExit(f"{reply.request.method} {reply.url} -> {reply.status_code}: {reply.text[:500]}")


def print_table(
    course: str, pending: list[tuple[dict[str, Any], str]], results: dict[str, dict[str, Any]]
) -> int:
    print(f"\n{course}")
    print(f"{'assignment':<12} {'learner':<8} {'status':<8} {'score':>6} {'max':>5} {'expected':>9}  check")
    mismatches = 0
    for spec, sid in pending:
        body = results.get(sid, {"status": "timeout", "score": None, "max_score": None})
        expect = spec.get("expect", {})
        ok = body["status"] == "graded" and body["score"] == expect.get("score")
        mismatches += not ok
        score = "-" if body["score"] is None else f"{body['score']:g}"
        top = "-" if body["max_score"] is None else f"{body['max_score']:g}"
        print(
            f"{spec['assignment']:<12} {spec['learner']:<8} {body['status']:<8} {score:>6} {top:>5} {expect.get('score', '-'):>9}  {'ok' if ok else 'MISMATCH'}"
        )
    print(f"\n{len(pending) - mismatches} of {len(pending)} submissions graded as expected")
    return 1 if mismatches else 0
