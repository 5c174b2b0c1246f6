"""A judge process on the host, wired as the agent wires it, with a learner side the test controls.

No Docker: the judge runs as this user from the agent folder, its pipes to the "learner" end
in this test process. The learner side is either the real ``answers.py`` serving a namespace
(honest, or with hostile values in it), or raw frames the test writes itself (a hostile
process that lies about the protocol). What the judge decides is the same as in a sandbox.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

AGENT = Path(__file__).resolve().parents[3] / "sandboxes" / "agent"
if str(AGENT) not in sys.path:
    sys.path.insert(0, str(AGENT))

import answers  # noqa: E402
import frames  # noqa: E402

LAUNCH = f"import sys; sys.path.insert(0, {str(AGENT)!r}); import judge; sys.exit(judge.main())"


@dataclass
class JudgeProcess:
    process: subprocess.Popen[bytes]
    control: socket.socket
    learner_requests: int  # the learner side reads the judge's requests here
    learner_replies: int  # and writes its answers here
    reader: frames.FrameReader = field(init=False)
    next_id: int = 0

    def __post_init__(self) -> None:
        self.reader = frames.FrameReader(self.control.fileno(), max_body=0)
        ready, _ = self.reader.read(time.monotonic() + 30)
        assert ready == {"op": "ready"}

    def request(self, message: dict[str, Any], wait: float = 20.0) -> dict[str, Any]:
        self.next_id += 1
        frames.write_frame(self.control.fileno(), {**message, "id": self.next_id})
        while True:
            reply, _ = self.reader.read(time.monotonic() + wait)
            if reply.get("id") == self.next_id:
                return reply

    def test(self, code: str, timeout: float = 5.0) -> dict[str, Any]:
        return self.request({"op": "test", "code": code, "timeout": timeout}, wait=timeout + 10)

    def define(self, code: str) -> dict[str, Any]:
        return self.request({"op": "define", "code": code, "timeout": 5})


@contextlib.contextmanager
def judge_process(proxies: bool = False) -> Iterator[JudgeProcess]:
    ours, theirs = socket.socketpair()
    request_read, request_write = os.pipe()
    reply_read, reply_write = os.pipe()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AUTOGRADE_JUDGE_FDS": f"{theirs.fileno()},{request_write},{reply_read}",
        "AUTOGRADE_JUDGE_PROXIES": "1" if proxies else "",
    }
    process = subprocess.Popen(
        [sys.executable, "-I", "-c", LAUNCH], pass_fds=(theirs.fileno(), request_write, reply_read), env=env
    )
    theirs.close()
    os.close(request_write)
    os.close(reply_read)
    try:
        yield JudgeProcess(process, ours, request_read, reply_write)
    finally:
        process.kill()
        process.wait(timeout=10)
        ours.close()
        for fd in (request_read, reply_write):
            with contextlib.suppress(OSError):
                os.close(fd)


@contextlib.contextmanager
def serving(judge: JudgeProcess, namespace: dict[str, Any], proxies: bool = False) -> Iterator[None]:
    """The real learner side (``answers.py``) answering from ``namespace`` in a thread."""
    shell = SimpleNamespace(user_ns=namespace)
    server = answers.Answers(shell, judge.learner_requests, judge.learner_replies)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            if select.select([server.fd], [], [], 0.05)[0]:
                try:
                    server.serve_one()
                    while server.requests.buffer:  # one read can bring several; select sees none of the rest
                        server.serve_one()
                except Exception:
                    return

    with _running(loop, stop):
        yield


@contextlib.contextmanager
def hostile(judge: JudgeProcess, answer: Callable[[dict[str, Any], int], None]) -> Iterator[None]:
    """A learner side that reads each request and lets ``answer(request, reply_fd)`` write anything."""
    stop = threading.Event()
    reader = frames.FrameReader(judge.learner_requests)

    def loop() -> None:
        while not stop.is_set():
            try:
                request, _ = reader.read(time.monotonic() + 0.05)
            except frames.Stalled:
                continue
            except frames.Broken:
                return
            if request.get("op") != "release":
                with contextlib.suppress(OSError, frames.Broken):
                    answer(request, judge.learner_replies)

    with _running(loop, stop):
        yield


@contextlib.contextmanager
def _running(loop: Callable[[], None], stop: threading.Event) -> Iterator[None]:
    """``loop`` in a thread for the block's length; ``stop`` ends it."""
    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
