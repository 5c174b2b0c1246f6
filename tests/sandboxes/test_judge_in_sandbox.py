"""The judge inside a real sandbox: out of the learner's reach, and tests reach it sealed.

Run on runc and on gVisor, whose ``/proc`` lets another uid open some descriptors (the
agent's stdin): what the learner's code can reach of the judge is listed from inside and
must be nothing that carries data to or from it. Under gVisor (release 20221219) it can
open the judge's ``/dev/null`` streams and its read-only preload table, and read its
``environ`` and ``maps``: no channel, and no secret (the agent gives the judge none).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest

from sandboxes.docker_sandbox import DockerSandbox, DockerSandboxFactory
from sandboxes.limits import SandboxLimits
from sandboxes.stream import AttachStream
from tests.conftest import SANDBOX_IMAGE

pytestmark = pytest.mark.docker
_names = itertools.count()

PROBE = r"""
import os, signal, stat
judges, reached = [], []
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        status = open(f'/proc/{pid}/status').read()
    except OSError:
        continue
    if '\nUid:\t1001' not in status:
        continue
    judges.append(pid)
    try:
        fds = os.listdir(f'/proc/{pid}/fd')
    except OSError:
        fds = [str(n) for n in range(64)]
    for fd in fds:
        for mode in (os.O_RDONLY, os.O_WRONLY, os.O_RDWR):
            try:
                opened = os.open(f'/proc/{pid}/fd/{fd}', mode | os.O_NONBLOCK)
            except OSError:
                continue
            kind = os.fstat(opened).st_mode
            os.close(opened)
            # /dev/null and the image's read-only files are no channel: a pipe or socket would be
            if stat.S_ISFIFO(kind) or stat.S_ISSOCK(kind) or (mode != os.O_RDONLY and stat.S_ISREG(kind)):
                reached.append(f'fd {fd} mode {mode}')
    try:  # through a directory descriptor, so the kernel's own audit hook is not what refuses
        directory = os.open(f'/proc/{pid}', os.O_RDONLY)
        os.read(os.open('mem', os.O_RDONLY, dir_fd=directory), 1)
        reached.append('mem')
    except OSError:
        pass
    for sig in (0, signal.SIGSTOP, signal.SIGKILL):
        try:
            os.kill(int(pid), sig)
            reached.append(f'signal {sig}')
        except OSError:
            pass
for attempt in (lambda: os.listdir('/run/judge'), lambda: open('/run/judge/planted.py', 'w')):
    try:
        attempt()
        reached.append('/run/judge')
    except OSError:
        pass
"""


@pytest.fixture(params=["runc", pytest.param("runsc", marks=pytest.mark.gvisor)])
def sandbox(request: pytest.FixtureRequest, docker_client: Any) -> Iterator[DockerSandbox]:
    limits = SandboxLimits(image=SANDBOX_IMAGE, runtime=request.param, memory_mb=512)
    factory = DockerSandboxFactory(docker_client, limits, worker=f"test-judge-{request.param}-{next(_names)}")
    with factory.open() as opened:
        opened.guard([])
        yield opened


def test_the_learner_reaches_nothing_of_the_judge(sandbox: DockerSandbox) -> None:
    ran = sandbox.run_cell(PROBE, timeout=30)
    assert ran.status == "ok", ran
    judged = sandbox.run_test("assert len(judges) == 1, judges\nassert reached == [], reached", timeout=30)
    assert judged.status == "ok" and judged.attestation == "verified", judged.outputs


def test_a_test_travels_to_the_agent_sealed(sandbox: DockerSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    real = AttachStream.send

    def record(self: AttachStream, message: dict[str, Any]) -> None:
        sent.append(json.dumps(message))
        real(self, message)

    monkeypatch.setattr(AttachStream, "send", record)
    sandbox.run_cell("answer = 144", timeout=10)
    judged = sandbox.run_test("assert answer == 144  # SECRET_MARKER_7731", timeout=10)
    assert judged.status == "ok" and judged.attestation == "verified"
    assert sent and not any("SECRET_MARKER_7731" in line or "answer == 144" in line for line in sent)


def test_a_test_that_reads_a_data_file_reads_the_instructors_copy(sandbox: DockerSandbox) -> None:
    sandbox.put_files({"data/expected.txt": b"42"})
    sandbox.run_cell("open('data/expected.txt', 'w').write('13')", timeout=10)
    judged = sandbox.run_test("assert open('data/expected.txt').read() == '42'", timeout=10)
    assert judged.status == "ok" and judged.attestation == "verified", judged.outputs


def test_a_learner_exception_in_a_test_shows_the_learners_line_once(sandbox: DockerSandbox) -> None:
    """The learner's frames with their own line numbers, and the exception's line once, as Python prints it."""
    assert sandbox.run_cell("def bad(x):\n    y = 1\n    return x / 0", timeout=10).status == "ok"
    judged = sandbox.run_test("bad(3)", timeout=10)
    [error] = [o for o in judged.outputs if o["output_type"] == "error"]
    text = "".join(error["traceback"])
    assert "line 3, in bad" in text and "return x / 0" in text and "/opt/agent" not in text
    assert text.count("ZeroDivisionError: division by zero") == 1
