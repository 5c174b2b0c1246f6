"""Signed results reach a real receiver process: once per delivery id, in order, despite refusals.

A real server, a real worker process (RQ, Docker, its scheduler for retries) and a receiver
in its own process that checks signatures with plain hmac and refuses the first requests.
Retry timing is shortened through the settings; the logic is the production one.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from integrations.signing import signed_headers
from service.settings import Settings
from tests.conftest import EXAMPLES
from tests.e2e.services import start_worker, wait_graded

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
RECEIVER = Path(__file__).with_name("receiver.py")
COURSE = "intro-data-science"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Receiver:
    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.record = tmp_path / "received.jsonl"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/results"

    def start(self, secret: str, refuse: int) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(RECEIVER),
                "--port",
                str(self.port),
                f"--secret={secret}",  # a secret may begin with "-", which argparse takes for an option
                "--record",
                str(self.record),
                "--refuse",
                str(refuse),
            ]
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("the receiver did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def entries(self) -> list[dict[str, Any]]:
        if not self.record.exists():
            return []
        text = self.record.read_text()
        complete = text[: text.rfind("\n") + 1]  # a line the receiver is still writing is read next time
        return [json.loads(line) for line in complete.splitlines()]

    def wait_for(
        self, check: Callable[[list[dict[str, Any]]], bool], timeout: float = 120
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            accepted = [e for e in self.entries() if e["accepted"]]
            if check(accepted):
                return accepted
            time.sleep(0.2)
        raise AssertionError(f"the receiver did not get what was expected: {self.entries()}")


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    found = Receiver(tmp_path)
    yield found
    found.stop()


@pytest.fixture
def callback_settings(settings: Settings) -> Settings:
    return settings.replace(
        warm_pool_size=1,
        warm_pool_reserve=0,
        callback_backoff_base=0.3,
        callback_backoff_cap=1.0,
        callback_max_attempts=4,
        callback_timeout=3.0,
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_results_arrive_once_in_order_after_refusals_and_dead_letters_are_redelivered(
    callback_settings: Settings, server: str, receiver: Receiver, tmp_path: Path
) -> None:
    admin = requests.Session()
    admin.headers["Authorization"] = f"Bearer {callback_settings.admin_token}"
    platform = admin.post(
        f"{server}/api/v1/platforms", json={"id": "lms", "callback_url": receiver.url, "courses": [COURSE]}
    ).json()
    as_platform = requests.Session()
    as_platform.headers["Authorization"] = f"Bearer {platform['token']}"
    source = EXAMPLES / "assignments" / "arrays" / "arrays.ipynb"
    assignment = admin.post(
        f"{server}/api/v1/assignments",
        data={"course": COURSE, "name": "arrays"},
        files={"file": ("arrays.ipynb", source.read_bytes())},
    ).json()

    def submit(external_id: str, learner: str, notebook_of: str) -> dict[str, Any]:
        notebook = json.loads((EXAMPLES / "submissions" / notebook_of / "arrays.ipynb").read_text())
        body = json.dumps(
            {
                "external_id": external_id,
                "assignment_id": assignment["id"],
                "learner": learner,
                "notebook": notebook,
            }
        ).encode()
        reply = requests.post(
            f"{server}/api/v1/platforms/lms/submissions",
            data=body,
            headers={
                **signed_headers(platform["secret"], int(time.time()), body),
                "Content-Type": "application/json",
            },
        )
        assert reply.status_code == 202, reply.text
        return dict(reply.json())

    receiver.start(platform["secret"], refuse=3)
    first = [submit("a1", "alice", "alice"), submit("b1", "bob", "bob"), submit("a2", "alice", "carol")]
    worker = start_worker(callback_settings, tmp_path / "worker.log")
    try:
        accepted = receiver.wait_for(lambda got: len(got) >= 3)
        assert all(e["accepted"] for e in receiver.entries()), "a signature failed to verify"
        ids = [e["delivery"] for e in accepted]
        assert len(ids) == len(set(ids)) == 3, "a delivery arrived twice"
        assert all(e["payload"]["delivery_id"] == e["delivery"] for e in accepted)
        graded = {s["external_id"]: wait_graded(admin, server + s["url"]) for s in first}
        for entry in accepted:
            payload = entry["payload"]
            assert payload["event"] == "grade.final" and payload["grade"]["version"] == 1
            assert payload["grade"]["score"] == graded[payload["submission"]["external_id"]]["score"]
        alice = [
            e["payload"]["submission"]["external_id"]
            for e in accepted
            if e["payload"]["submission"]["learner"] == "alice"
        ]
        assert alice == ["a1", "a2"], "alice's results arrived out of order"
        statuses = as_platform.get(f"{server}/api/v1/deliveries").json()
        assert {d["status"] for d in statuses} == {"delivered"}
        assert sum(d["attempts"] for d in statuses) >= 3 + 1, "the refused attempts were not retried"

        # A regrade and an instructor's change each send a new version.
        a1 = first[0]["id"]
        assert admin.post(f"{server}/api/v1/submissions/{a1}/regrade").status_code == 202
        receiver.wait_for(
            lambda got: any(
                e["payload"]["grade"]["version"] == 2 and e["payload"]["submission"]["id"] == a1 for e in got
            )
        )
        bob = graded["b1"]
        cell = bob["cells"][0]["grade_id"]
        changed = admin.put(
            f"{server}/api/v1/submissions/{bob['id']}/cells/{cell}",
            json={"score": 0, "reason": "copied answer"},
        )
        assert changed.status_code == 200, changed.text
        updates = receiver.wait_for(
            lambda got: any(
                e["payload"]["submission"]["id"] == bob["id"] and e["payload"]["event"] == "grade.updated"
                for e in got
            )
        )
        update = next(
            e["payload"]
            for e in updates
            if e["payload"]["submission"]["id"] == bob["id"] and e["payload"]["event"] == "grade.updated"
        )
        assert (
            update["grade"]["change"]["reason"] == "copied answer"
            and update["grade"]["score"] == changed.json()["score"]
        )

        # Down past the retry budget: dead-lettered, then redelivered on request.
        receiver.stop()
        late = submit("a3", "alice", "alice")
        deadline = time.monotonic() + 120
        dead: list[dict[str, Any]] = []
        while not dead and time.monotonic() < deadline:
            dead = [
                d
                for d in as_platform.get(f"{server}/api/v1/deliveries", params={"status": "dead"}).json()
                if d["submission_id"] == late["id"]
            ]
            time.sleep(0.3)
        assert dead, "the delivery never reached the dead-letter list"
        assert dead[0]["attempts"] == 4 and dead[0]["last_error"]
        receiver.start(platform["secret"], refuse=0)
        again = as_platform.post(f"{server}/api/v1/deliveries/{dead[0]['id']}/redeliver")
        assert again.status_code == 202 and again.json()["status"] == "pending"
        receiver.wait_for(lambda got: any(e["delivery"] == dead[0]["id"] for e in got))
        assert as_platform.get(f"{server}/api/v1/deliveries/{dead[0]['id']}").json()["status"] == "delivered"
        assert as_platform.post(f"{server}/api/v1/deliveries/{dead[0]['id']}/redeliver").status_code == 409
        final = [e["delivery"] for e in receiver.entries() if e["accepted"]]
        assert len(final) == len(set(final)), "some delivery id arrived twice"
        assert worker.poll() is None, "the worker died"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
