"""Test cells run in the judge: the agent's side of a judged test, a mixin of ``kernel.Kernel``.

The agent sends the test to the judge and waits for its verdict, reading the kernel's raw
output meanwhile (the kernel is busy answering the judge's questions). The judge gives up on
a learner that does not answer by the deadline itself; a test still computing then is
interrupted, and a judge that ignores that is restarted, with its kernel. After a timeout
the kernel is interrupted and must answer a no-op cell again, or it is restarted too.
"""

import contextlib
import os
import subprocess
import time

import frames
from outputs import CappedOutputs

INTERRUPT_GRACE = 3.0
KERNEL_START_TIMEOUT = 60.0
OUTPUT_LIMIT = int(os.environ.get("AUTOGRADE_OUTPUT_LIMIT", str(1024 * 1024)))
_VERDICTS = {"ok": "verified", "error": "error", "refused": "refused"}


class JudgedTests:
    """What ``Kernel`` does for a test cell in the judge; it holds ``judge``, a ``JudgeLink``."""

    def _preload_judge(self):
        if not self.judge_modules:
            return {}
        started = time.monotonic()
        try:
            reply = self.judge.request(
                {"op": "preload", "modules": self.judge_modules}, started + KERNEL_START_TIMEOUT
            )
        except (frames.Broken, OSError) as exc:
            return {"status": "error", "message": f"the judge could not import {self.judge_modules}: {exc}"}
        return {"guarded": reply.get("modules", []), "duration": round(time.monotonic() - started, 4)}

    def define(self, code, timeout):
        """Give the judge a trusted cell's definitions; a failure there only leaves names to the kernel."""
        if not code.strip():
            return
        try:
            self.judge.request(
                {"op": "define", "code": code, "timeout": timeout}, time.monotonic() + timeout + 1
            )
        except frames.Stalled:
            self.restart()  # stuck in the instructor's own code: the kernel goes too, to keep them paired
        except (frames.Broken, OSError):
            pass  # the judge is gone: the next test finds out and says so

    def execute_test(self, code, timeout):
        """Run a test cell in the judge; the kernel only answers the judge's questions meanwhile."""
        if self.guard_modules is None:
            outcome = self.guard([])
            if outcome["status"] != "ok":
                return {"status": "unguarded", "message": outcome["message"]}
        started = time.monotonic()
        outputs = CappedOutputs(OUTPUT_LIMIT)
        status, judged = self._await_judge(code, timeout, started, outputs)
        if status == "ok" and judged.get("learner_gone"):  # its pipe closed as it died: let it finish dying
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=INTERRUPT_GRACE)
        if status == "ok" and not self.is_alive():
            status = "dead"  # the learner's process died under the test: as if it died in a cell
        elif status == "ok" and self._left_busy(judged) and self._recover_kernel() != "ok":
            status = "timeout_restarted"  # still busy with what it would not answer: stopped
        for output in judged.get("outputs", []) if type(judged.get("outputs")) is list else []:
            outputs.add(output)
        reply = {
            "status": status,
            "outputs": outputs.items,
            "truncated": outputs.truncated or bool(judged.get("truncated")),
            "duration": round(time.monotonic() - started, 4),
        }
        verdict = judged.get("status")
        if status == "ok" or (verdict == "refused" and status != "dead"):  # a death is no lie
            reply["attestation"] = {
                "verdict": _VERDICTS.get(verdict, "refused"),
                "detail": str(judged.get("detail", ""))[:4096],
            }
            if status == "ok":
                reply["status"] = "ok" if verdict == "ok" else "error"
        if status == "dead":
            reply["exit_code"] = self.exit_code()
            self.restart()
        return reply

    def _await_judge(self, code, timeout, started, outputs):
        """The judge's reply, collecting the kernel's raw output meanwhile; ``(status, reply)``.

        The judge gives up on a learner that does not answer by the deadline itself; a test
        still computing then is interrupted, and a judge that ignores that is restarted.
        """
        deadline = started + timeout
        interrupted = False
        try:
            request_id = self.judge.send({"op": "test", "code": code, "timeout": timeout}, deadline)
            while True:
                try:
                    judged = self.judge.receive(min(time.monotonic() + 0.2, deadline + INTERRUPT_GRACE))
                except frames.Stalled:
                    self._drain_streams(outputs)
                    now = time.monotonic()
                    if now >= deadline + INTERRUPT_GRACE:
                        self.restart()
                        return "timeout_restarted", {}
                    if now >= deadline + 0.5 and not interrupted:
                        self.judge.interrupt()
                        interrupted = True
                    continue
                if judged.get("id") == request_id:
                    break
        except (frames.Broken, OSError) as exc:
            if not self.is_alive():
                return "dead", {}
            self.restart()
            return "timeout_restarted", {
                "status": "refused",
                "detail": f"the judge stopped answering ({exc})",
            }
        self._drain_streams(outputs)
        if interrupted or judged.get("status") == "timeout":
            return ("timeout" if self._recover_kernel() == "ok" else "timeout_restarted"), judged
        return "ok", judged

    @staticmethod
    def _left_busy(judged):
        """The judge stopped waiting on the kernel, which may still be running the learner's code."""
        return bool(judged.get("learner_stalled")) or judged.get("status") == "refused"

    def _recover_kernel(self):
        """After the judge gave up on it: interrupt the kernel and see that it answers again."""
        self.interrupt()
        request_id = self.send("pass", silent=True)
        if self._collect(request_id, CappedOutputs(OUTPUT_LIMIT), time.monotonic() + INTERRUPT_GRACE) == "ok":
            return "ok"
        self.restart()
        return "restarted"
