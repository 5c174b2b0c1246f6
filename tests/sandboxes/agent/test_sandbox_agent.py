"""The agent's request loop: after the hello only signed, fresh requests count, and files stay
inside the work directory. Served here with a fake kernel and channel; the Docker tests
(tests/sandboxes/test_agent_protocol.py) run the real one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.sandboxes.agent.agent_module import AGENT

if str(AGENT) not in sys.path:
    sys.path.insert(0, str(AGENT))  # the agent's modules import each other by their own names
import sandbox_agent  # noqa: E402
import sealing  # noqa: E402

KEY = b"\x01" * 32


class FakeChannel:
    def __init__(self) -> None:
        self.key: bytes | None = None
        self.sent: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)


class FakeKernel:
    def __init__(self) -> None:
        self.ran: list[tuple[str, str]] = []

    def execute(self, code: str, timeout: float, attest: bool) -> dict[str, Any]:
        self.ran.append(("cell", code))
        return {"status": "ok"}

    def define(self, code: str, timeout: float) -> None:
        self.ran.append(("define", code))

    def execute_test(self, code: str, timeout: float) -> dict[str, Any]:
        self.ran.append(("test", code))
        return {"status": "ok"}

    def is_alive(self) -> bool:
        return True


def signed(request: dict[str, Any], key: bytes = KEY) -> str:
    body = json.dumps(request)
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest() + " " + body + "\n"


HELLO = json.dumps({"op": "hello", "key": KEY.hex()}) + "\n"


def serve(*lines: str) -> tuple[FakeKernel, FakeChannel]:
    kernel, channel = FakeKernel(), FakeChannel()
    sandbox_agent.serve(kernel, channel, lines)
    return kernel, channel


def test_signed_fresh_requests_are_served_and_a_sealed_test_is_opened() -> None:
    kernel, channel = serve(
        HELLO,
        signed({"op": "execute", "id": 1, "code": "x = 1", "define": "def f(): pass"}),
        signed({"op": "test", "id": 2, "sealed": sealing.seal(KEY, "assert x == 1")}),
        signed({"op": "ping", "id": 3}),
        signed({"op": "frobnicate", "id": 4}),
    )
    assert kernel.ran == [("cell", "x = 1"), ("define", "def f(): pass"), ("test", "assert x == 1")]
    assert [m.get("status") for m in channel.sent] == ["ok", "ok", "ok", "ok", "bad_request"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (json.dumps({"op": "execute", "id": 1, "code": "evil"}) + "\n", "unsigned"),
        (signed({"op": "execute", "id": 1, "code": "evil"}, key=b"\x02" * 32), "unsigned"),
        (signed({"op": "execute", "id": 0, "code": "evil"}), "replayed"),
        (signed({"op": "execute", "code": "evil"}), "replayed"),
        (signed({"op": "hello", "id": 1, "key": "00" * 32}).replace('"key"', '"kex"'), "unsigned"),
    ],
)
def test_after_the_hello_an_unsigned_or_stale_request_ends_the_run(line: str, message: str) -> None:
    kernel, channel = serve(HELLO, line, signed({"op": "execute", "id": 9, "code": "later"}))
    assert kernel.ran == []
    assert channel.sent[-1]["event"] == "intrusion" and message in channel.sent[-1]["message"]


def test_a_replayed_id_ends_the_run_even_when_signed() -> None:
    first = signed({"op": "execute", "id": 5, "code": "x = 1"})
    kernel, channel = serve(HELLO, first, first)
    assert kernel.ran == [("cell", "x = 1")] and "replayed" in channel.sent[-1]["message"]


def test_a_second_hello_cannot_change_the_key() -> None:
    kernel, channel = serve(HELLO, signed({"op": "hello", "id": 1, "key": "02" * 32}))
    assert channel.key == KEY and channel.sent[-1] == {
        "id": 1,
        "status": "bad_request",
        "message": "unknown op 'hello'",
    }


def test_a_request_that_is_not_json_is_an_intrusion() -> None:
    _, channel = serve("not json\n")
    assert channel.sent == [{"event": "intrusion", "message": "a request that is not JSON reached the agent"}]


def test_files_are_written_inside_the_work_directory(tmp_path: Path) -> None:
    sandbox_agent.put_files({"data/x.csv": base64.b64encode(b"1,2").decode()}, str(tmp_path))
    assert (tmp_path / "data" / "x.csv").read_bytes() == b"1,2"


@pytest.mark.parametrize(
    "name", ["../escape.txt", "/etc/escape.txt", "data/../../escape.txt", "link/escape.txt"]
)
def test_a_file_outside_the_work_directory_is_refused(tmp_path: Path, name: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    os.symlink(tmp_path, work / "link")  # a folder the learner's code made point outside
    with pytest.raises(ValueError, match="outside the work directory"):
        sandbox_agent.put_files({name: base64.b64encode(b"x").decode()}, str(work))
    assert not (tmp_path / "escape.txt").exists()
