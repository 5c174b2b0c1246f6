"""The worker-agent protocol: after the hello, only signed, fresh lines count either way."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandboxes.docker_sandbox import DockerSandboxFactory
from sandboxes.limits import SandboxLimits
from tests.conftest import SANDBOX_IMAGE

pytestmark = pytest.mark.docker


@pytest.fixture
def factory(docker_client: Any) -> DockerSandboxFactory:
    return DockerSandboxFactory(docker_client, SandboxLimits(image=SANDBOX_IMAGE), worker="protocol-test")


def test_signed_requests_run(factory: DockerSandboxFactory) -> None:
    with factory.open() as sandbox:
        run = sandbox.run_cell("print(6 * 7)", timeout=10)
    assert run.status == "ok" and run.outputs[0]["text"] == "42\n"


def test_an_unsigned_request_ends_the_run(factory: DockerSandboxFactory) -> None:
    with factory.open() as sandbox:
        assert sandbox.stream is not None
        line = json.dumps({"op": "execute", "id": 99, "code": "1", "timeout": 5}) + "\n"
        sandbox.stream.sock.sendall(line.encode())  # bypasses the signing in AttachStream.send
        run = sandbox.run_cell("1 + 1", timeout=10)
    assert run.status == "lost" and "unsigned request" in run.detail


def test_a_replayed_request_ends_the_run(factory: DockerSandboxFactory) -> None:
    with factory.open() as sandbox:
        assert sandbox.stream is not None
        sandbox.run_cell("x = 1", timeout=10)
        sandbox.next_id -= 1  # the next request reuses an id the agent has already served
        run = sandbox.run_cell("x = 2", timeout=10)
    assert run.status == "lost" and "replayed" in run.detail


def test_an_unsigned_reply_is_not_believed(factory: DockerSandboxFactory) -> None:
    with factory.open() as sandbox:
        assert sandbox.stream is not None
        sandbox.stream.key = b"not the key the agent signs with"
        run = sandbox.run_cell("1 + 1", timeout=10)
    assert run.status == "lost" and "not signed" in run.detail
