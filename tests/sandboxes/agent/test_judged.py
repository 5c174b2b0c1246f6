"""The agent's side of a judged test, with a fake judge and kernel: what the judge says becomes the
cell's status and attestation, and a judge or kernel that misbehaves never turns into a pass."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tests.sandboxes.agent.agent_module import AGENT

if str(AGENT) not in sys.path:
    sys.path.insert(0, str(AGENT))  # the agent's modules import each other by their own names
import frames  # noqa: E402
import judged  # noqa: E402


class FakeJudge:
    def __init__(self, verdict: dict[str, Any] | Exception) -> None:
        self.verdict = verdict
        self.sent: list[dict[str, Any]] = []
        self.interrupted = 0

    def send(self, message: dict[str, Any], deadline: float) -> int:
        self.sent.append(message)
        return 7

    def receive(self, deadline: float) -> dict[str, Any]:
        if isinstance(self.verdict, Exception):
            raise self.verdict
        return {"id": 7, **self.verdict}

    def request(self, message: dict[str, Any], deadline: float) -> dict[str, Any]:
        self.sent.append(message)
        if isinstance(self.verdict, Exception):
            raise self.verdict
        return {"id": 7, **self.verdict}

    def interrupt(self) -> None:
        self.interrupted += 1


class FakeKernel(judged.JudgedTests):
    def __init__(self, verdict: dict[str, Any] | Exception, alive: bool = True, answers: str = "ok") -> None:
        self.judge = FakeJudge(verdict)
        self.guard_modules: list[str] | None = []
        self.judge_modules: list[str] = []
        self.alive, self.answers = alive, answers
        self.restarts = self.interrupts = 0
        self.process = None

    def is_alive(self) -> bool:
        return self.alive

    def restart(self) -> None:
        self.restarts += 1

    def interrupt(self) -> None:
        self.interrupts += 1

    def send(self, code: str, silent: bool = False) -> int:
        return 1

    def _collect(self, request_id: int, outputs: Any, deadline: float) -> str:
        return self.answers

    def _drain_streams(self, outputs: Any) -> None:
        outputs.add({"output_type": "stream", "name": "stdout", "text": "from the kernel\n"})

    def exit_code(self) -> int:
        return 137


def test_the_judges_pass_is_a_verified_ok_with_the_outputs_in_order() -> None:
    out = {"output_type": "stream", "name": "stdout", "text": "from the test\n"}
    reply = FakeKernel({"status": "ok", "outputs": [out]}).execute_test("assert f(2) == 4", 5)
    assert reply["status"] == "ok" and reply["attestation"] == {"verdict": "verified", "detail": ""}
    assert [o["text"] for o in reply["outputs"]] == ["from the kernel\nfrom the test\n"]


def test_a_failing_test_is_an_error_attested_as_such() -> None:
    reply = FakeKernel({"status": "error", "detail": "AssertionError"}).execute_test("assert False", 5)
    assert reply["status"] == "error" and reply["attestation"] == {
        "verdict": "error",
        "detail": "AssertionError",
    }


@pytest.mark.parametrize("verdict", ["refused", "verified", "passed", None])
def test_a_refusal_or_any_unknown_verdict_is_never_a_pass(verdict: str | None) -> None:
    kernel = FakeKernel({"status": verdict, "detail": "x" * 10_000})
    reply = kernel.execute_test("assert f(2) == 4", 5)
    assert reply["status"] == "error" and reply["attestation"]["verdict"] == "refused"
    assert len(reply["attestation"]["detail"]) == 4096


def test_a_learner_left_busy_is_interrupted_and_must_answer_again_or_is_restarted() -> None:
    answering = FakeKernel({"status": "error", "learner_stalled": True})
    assert answering.execute_test("t", 5)["status"] == "error" and answering.interrupts == 1
    stuck = FakeKernel({"status": "error", "learner_stalled": True}, answers="timeout")
    assert stuck.execute_test("t", 5)["status"] == "timeout_restarted" and stuck.restarts == 1


def test_a_kernel_that_died_under_the_test_is_dead_and_restarted_never_graded() -> None:
    kernel = FakeKernel({"status": "ok"}, alive=False)
    reply = kernel.execute_test("t", 5)
    assert reply["status"] == "dead" and reply["exit_code"] == 137 and "attestation" not in reply
    assert kernel.restarts == 1


def test_a_judge_that_stops_answering_is_restarted_and_its_test_refused() -> None:
    kernel = FakeKernel(frames.Closed("gone"))
    reply = kernel.execute_test("t", 5)
    assert reply["status"] == "timeout_restarted" and kernel.restarts == 1
    assert (
        reply["attestation"]["verdict"] == "refused" and "stopped answering" in reply["attestation"]["detail"]
    )


def test_outputs_that_are_not_a_list_are_ignored() -> None:
    reply = FakeKernel({"status": "ok", "outputs": {"output_type": "stream"}}).execute_test("t", 5)
    assert reply["status"] == "ok" and [o["text"] for o in reply["outputs"]] == ["from the kernel\n"]


def test_a_definition_stuck_in_the_judge_restarts_the_pair_and_a_gone_judge_is_left_to_the_next_test() -> (
    None
):
    stuck = FakeKernel(frames.Stalled("slow"))
    stuck.define("def f():\n    while True: pass", 1)
    assert stuck.restarts == 1
    gone = FakeKernel(frames.Closed("gone"))
    gone.define("x = 1", 1)
    gone.define("   ", 1)
    assert gone.restarts == 0 and len(gone.judge.sent) == 1
