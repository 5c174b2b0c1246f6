"""The agent's handle on one lean kernel process and the judge beside it.

The kernel (``lean_kernel.py``: IPython's shell over pipes) runs the learner's cells and, in
the in-process mode, the test cells under its audit hook (``attest.py``). It starts as the
learner's uid, with a fresh judge (``judge_link.py``) and fresh pipes between the two; the
two are stopped and restarted together. Test cells in the judge are ``judged.py``'s part.
"""

import contextlib
import json
import os
import secrets
import select
import signal
import subprocess
import sys
import time

import frames
import judge_link
from attestations import Attestations, summarise
from judged import JudgedTests
from outputs import CappedOutputs, to_output

OUTPUT_LIMIT = int(os.environ.get("AUTOGRADE_OUTPUT_LIMIT", str(1024 * 1024)))
INTERRUPT_GRACE = 3.0
KERNEL_UID = KERNEL_GID = 1000
WORKDIR = os.environ.get("HOME", "/home/learner")
HERE = os.path.dirname(os.path.abspath(__file__))
ATTEST_FILE = os.path.join(HERE, "attest.py")
PRELOAD_FILE = os.path.join(HERE, "preloaded-modules.marshal")  # built into the image: preload.py
LAUNCH = (
    f"import sys; sys.path.insert(0, {HERE!r}); import preload; done = preload.install({PRELOAD_FILE!r}); "
    "import lean_kernel; lean_kernel.main(done)"
)
PROBE_TIMEOUT = 10.0
DRAIN_READS = 64  # 4 MiB per stream, four times the output cap
KERNEL_START_TIMEOUT = 60.0


class Kernel(JudgedTests):
    """One lean kernel process (``lean_kernel.py``: IPython's shell over pipes) and its pipes."""

    def __init__(self):
        self.process = None
        self.requests = None  # our end of its request pipe
        self.streams = {}  # fd -> "messages", "stdout" or "stderr"
        self.pending = b""
        self.attestations = None
        self.next_id = 0
        self.guard_modules = None  # None until the worker says; then applied to every kernel
        self.judged = True  # tests run in the judge (the default); False: in this kernel, attested
        self.proxies = False  # the assignment lets tests reach learner objects by method call
        self.judge = judge_link.JudgeLink()
        self.judge_modules = []

    def start(self):
        """Start a kernel whose bootstrap (attest.py) gets a fresh key and a pipe back to us."""
        key = secrets.token_bytes(32)
        key_read, key_write = os.pipe()
        os.write(key_write, key)
        os.close(key_write)
        attest_read, attest_write = os.pipe()
        request_read, request_write = os.pipe()
        message_read, message_write = os.pipe()
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        (answer_read, answer_write), judge_ends = judge_link.pipes_for_judge()
        inherited = (key_read, attest_write, request_read, message_write, answer_read, answer_write)
        env = {
            **os.environ,
            "AUTOGRADE_ATTEST_FDS": f"{key_read},{attest_write}",
            "AUTOGRADE_KERNEL_FDS": f"{request_read},{message_write}",
            "AUTOGRADE_ANSWER_FDS": f"{answer_read},{answer_write}",
            "AUTOGRADE_BOOTSTRAP": ATTEST_FILE,
        }
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-c", LAUNCH],
                **self._as_learner(),
                cwd=WORKDIR,
                stdin=subprocess.DEVNULL,
                stdout=out_write,
                stderr=err_write,
                pass_fds=inherited,
                start_new_session=True,  # its own process group, so stop() ends what it started
                env=env,
            )
        finally:
            for fd in (*inherited, out_write, err_write):
                os.close(fd)
        if self.attestations is not None:
            self.attestations.close()
        self.attestations = Attestations(attest_read, key, self.process.pid)
        self.requests = request_write
        self.streams = {message_read: "messages", out_read: "stdout", err_read: "stderr"}
        self.pending = b""
        for fd in self.streams:
            os.set_blocking(fd, False)
        ready = self._read_until(
            lambda m: m.get("type") == "ready", None, time.monotonic() + KERNEL_START_TIMEOUT
        )
        if ready != "matched":
            for fd in judge_ends:
                os.close(fd)
            raise RuntimeError(f"the kernel did not become ready ({ready}, exit code {self.exit_code()})")
        try:
            self.judge.start(*judge_ends, proxies=self.proxies)
        except (judge_link.JudgeFailed, frames.Broken, OSError) as exc:
            raise RuntimeError(f"the judge did not start: {exc}") from exc
        if self.guard_modules is not None:  # a restarted kernel: guard again before any replay
            outcome = self._apply_guard()
            if outcome["status"] != "ok":
                raise RuntimeError(outcome["message"])

    def guard(self, modules, judged=True, proxies=False):
        """Ready the libraries the tests use, once per sandbox, before learner code.

        Judged (the default), the judge imports them and the kernel is guarded with nothing.
        In-process, the kernel imports and snapshots them: its hook honours only the first
        guard request of a kernel's life, so the agent makes sure that one is ours: sent
        here, or (empty) before the first cell if none came.
        """
        if self.guard_modules is not None:
            return {"status": "error", "message": "the kernel is already guarded"}
        self.judged, self.proxies = bool(judged), bool(proxies)
        self.guard_modules = [] if self.judged else [str(m) for m in modules]
        self.judge_modules = [str(m) for m in modules] if self.judged else []
        if self.proxies:
            self.judge.request({"op": "configure", "proxies": True}, time.monotonic() + PROBE_TIMEOUT)
        outcome = self._apply_guard()
        if outcome["status"] == "ok" and self.judged:
            outcome.update(self._preload_judge())
        return outcome

    def _apply_guard(self):
        started = time.monotonic()
        nonce = secrets.token_hex(16)
        self.attestations.read(None)
        names = ",".join(self.guard_modules)
        status, records = self._audit("guard", nonce, (nonce, names), KERNEL_START_TIMEOUT)
        duration = round(time.monotonic() - started, 4)
        good = [r for r in records if r.get("event") == "guard" and r.get("verdict") == "ok"]
        if status != "ok" or len(good) != 1 or len(records) != 1:
            detail = "; ".join(str(r.get("detail", r)) for r in records) or status
            return {
                "status": "error",
                "message": f"the kernel could not be guarded: {detail}",
                "duration": duration,
            }
        return {"status": "ok", "guarded": good[0].get("modules", []), "duration": duration}

    def _as_learner(self):
        """Popen options that start the kernel as the learner's uid, when we may choose it."""
        if os.getuid() != 0:
            return {}
        return {"user": KERNEL_UID, "group": KERNEL_GID, "extra_groups": []}

    def stop(self):
        """Kill the kernel and its process group (what its cells started), as jupyter_client does."""
        self.judge.stop()
        if self.process is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        for fd in [*self.streams, self.requests]:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.streams, self.requests = {}, None

    def restart(self):
        self.stop()
        self.start()

    def is_alive(self):
        return self.process is not None and self.process.poll() is None

    def exit_code(self):
        return None if self.process is None else self.process.poll()

    def interrupt(self):
        if self.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGINT)

    def send(self, code, silent=False):
        self.next_id += 1
        line = json.dumps({"id": self.next_id, "code": code, "silent": silent}) + "\n"
        try:
            view = memoryview(line.encode())
            while view:
                view = view[os.write(self.requests, view) :]
        except OSError:
            pass  # the kernel is gone; collecting will say so
        return self.next_id

    def execute(self, code, timeout, attest=False):
        """Run one cell; returns a reply dict with status ok, error, timeout or dead.

        With ``attest`` (test cells), the cell is prefixed with the begin event and followed
        by a silent verify cell; the reply carries what the signed records say.
        """
        if self.guard_modules is None:  # nobody asked: use up the guard before learner code can
            outcome = self.guard([])
            if outcome["status"] != "ok":
                return {"status": "unguarded", "message": outcome["message"]}
        nonce = secrets.token_hex(16) if attest and not code.lstrip().startswith("%%") else None
        if nonce is not None:
            self.attestations.read(None)  # drop anything left over from earlier cells
            code = f"__import__('sys').audit('autograde.begin', '{nonce}')\n{code}"
        started = time.monotonic()
        request_id = self.send(code)
        outputs = CappedOutputs(OUTPUT_LIMIT)
        status = self._collect(request_id, outputs, started + timeout)
        if status == "timeout":
            self.interrupt()
            if self._collect(request_id, outputs, time.monotonic() + INTERRUPT_GRACE) == "timeout":
                self.restart()
                status = "timeout_restarted"
            else:
                status = "timeout"
        reply = {
            "status": status,
            "outputs": outputs.items,
            "truncated": outputs.truncated,
            "duration": round(time.monotonic() - started, 4),
        }
        if status == "dead":
            reply["exit_code"] = self.exit_code()
            self.restart()
        elif attest:
            reply["attestation"] = self.verify(nonce) if status in ("ok", "error") else {"verdict": "not_run"}
        return reply

    def verify(self, nonce):
        """Ask the hook to judge the cell that just ran, and read its signed records."""
        if nonce is None:
            return {"verdict": "unverifiable", "detail": "cell magics cannot be attested"}
        status, records = self._audit("verify", nonce, (nonce,), PROBE_TIMEOUT)
        if status != "ok":
            return {"verdict": "missing", "detail": f"the verification cell did not run ({status})"}
        return summarise(records)

    def _audit(self, event, nonce, args, timeout):
        """Raise ``autograde.<event>`` in a silent cell; its status and the hook's signed records."""
        quoted = ", ".join(f"'{arg}'" for arg in args)
        request_id = self.send(f"__import__('sys').audit('autograde.{event}', {quoted})", silent=True)
        status = self._collect(request_id, CappedOutputs(OUTPUT_LIMIT), time.monotonic() + timeout)
        return status, self.attestations.read(nonce)

    def _collect(self, request_id, outputs, deadline):
        """Gather a cell's outputs until its done line; the done line decides ok or error."""
        found = {}

        def done(message):
            if message.get("type") == "done" and message.get("id") == request_id:
                found["status"] = "ok" if message.get("status") == "ok" else "error"
                return True
            if message.get("type") == "clear_output":
                outputs.items.clear()
            else:
                output = to_output(message)
                if output is not None:
                    outputs.add(output)
            return False

        result = self._read_until(done, outputs, deadline)
        return found["status"] if result == "matched" else result

    def _read_until(self, match, outputs, deadline):
        """Read every pipe until ``match`` accepts a message: "matched", "timeout" or "dead"."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            ready, _, _ = select.select(list(self.streams), [], [], min(remaining, 0.5))
            if not ready and not self.is_alive():
                return "dead"
            for fd in ready:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                kind = self.streams[fd]
                if kind != "messages":
                    self._take_stream(fd, kind, chunk, outputs)
                    continue
                if not chunk:  # its end closed: the kernel is gone
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self.process.wait(timeout=2)
                    return "dead"
                for message in self._messages(chunk, outputs):
                    if match(message):
                        self._drain_streams(outputs)
                        return "matched"

    def _drain_streams(self, outputs):
        """What the kernel wrote to stdout or stderr before its message is in those pipes now.

        One ``select`` can report the message pipe and stderr ready together, and the message
        pipe may come first: without this, output written below Python just before the cell
        ended (``os.system`` to stderr) went to the next cell, or nowhere. Bounded: a learner
        thread that writes without end must not keep the agent here (past the cap it is
        dropped anyway).
        """
        for fd, kind in list(self.streams.items()):
            if kind == "messages":
                continue
            for _ in range(DRAIN_READS):
                if fd not in self.streams or not select.select([fd], [], [], 0)[0]:
                    break
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    break
                self._take_stream(fd, kind, chunk, outputs)

    def _take_stream(self, fd, kind, chunk, outputs):
        """A chunk of the kernel's stdout or stderr is stream output; an empty one closes the pipe."""
        if chunk:
            if outputs is not None:
                outputs.add({"output_type": "stream", "name": kind, "text": chunk.decode(errors="replace")})
            return
        os.close(fd)  # its stdout or stderr closed: stop watching it
        del self.streams[fd]

    def _messages(self, chunk, outputs):
        """Complete JSON lines from the message pipe; an oversized line is dropped, not kept."""
        self.pending += chunk
        lines = self.pending.split(b"\n")
        self.pending = lines.pop()
        if len(self.pending) > OUTPUT_LIMIT * 2 + 65536:
            self.pending = b""
            if outputs is not None:
                outputs.truncated = True
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue  # not from the shell's own writer; outputs are untrusted anyway
            if isinstance(message, dict):
                yield message
