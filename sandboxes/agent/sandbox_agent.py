"""The trusted agent inside a sandbox: runs cells in an IPython kernel for the grader outside.

It speaks newline-delimited JSON on its stdin and stdout, which the worker reaches through
the container's attach stream (the container has no network). Requests:

    {"op": "hello", "key": "<hex>"}       (first; every later reply line is signed with it)
    {"op": "put_files", "files": {"data/x.csv": "<base64>"}}
    {"op": "execute", "id": 3, "code": "...", "timeout": 30}
    {"op": "restart"}
    {"op": "ping"}                        (is the kernel still up? a warm sandbox is checked before use)
    {"op": "guard", "modules": ["numpy", "numpy.testing"]}   (before the first cell; see below)
    {"op": "shutdown"}

Every request gets exactly one reply line carrying the request's ``id`` (if any). The first
line the agent writes is ``{"event": "ready", ...}`` once the kernel answers. After the
worker's hello, which arrives before any learner code runs, each line is
``<hex HMAC-SHA256 of the JSON> <JSON>``: under gVisor a process of another uid can still
write to the agent's stdout through /proc, so the worker trusts only signed lines.

The kernel is a child process whose stdout and stderr go nowhere near the agent's, so code
in the kernel cannot write reply lines. When the worker starts the container as uid 0 with
only CAP_SETUID, CAP_SETGID, CAP_KILL and CAP_CHOWN (the normal case), the kernel runs as
uid 1000 with no capabilities at all, so learner code cannot signal, trace or read the
agent, whatever the runtime's /proc does. The agent also marks itself non-dumpable. It uses
only the standard library: the kernel is ``lean_kernel.py`` (IPython's shell over pipes, see
its docstring for why not ipykernel), started fresh for every sandbox and after a crash.
This folder is copied into the image on its own and imports nothing from the project.
"""

import base64
import contextlib
import ctypes
import hashlib
import hmac
import json
import os
import secrets
import select
import signal
import subprocess
import sys
import time

WORKDIR = os.environ.get("HOME", "/home/learner")
OUTPUT_LIMIT = int(os.environ.get("AUTOGRADE_OUTPUT_LIMIT", str(1024 * 1024)))
INTERRUPT_GRACE = 3.0
PR_SET_DUMPABLE = 4
KERNEL_UID = KERNEL_GID = 1000
HERE = os.path.dirname(os.path.abspath(__file__))
ATTEST_FILE = os.path.join(HERE, "attest.py")
PRELOAD_FILE = os.path.join(HERE, "preloaded-modules.marshal")  # built into the image: preload.py
LAUNCH = (
    f"import sys; sys.path.insert(0, {HERE!r}); import preload; done = preload.install({PRELOAD_FILE!r}); "
    "import lean_kernel; lean_kernel.main(done)"
)
PROBE_TIMEOUT = 10.0
KERNEL_START_TIMEOUT = 60.0


def make_non_dumpable():
    """Keep same-uid code from ptracing the agent or reading /proc/<agent>/fd."""
    with contextlib.suppress(OSError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


class Channel:
    """The reply channel: a private duplicate of the original stdout."""

    def __init__(self):
        self._fd = os.dup(1)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 1)  # stderr stays: the worker keeps its tail for diagnostics
        os.set_inheritable(self._fd, False)
        self.key = None

    def send(self, message):
        body = json.dumps(message, separators=(",", ":")).encode()
        if self.key is not None:
            body = hmac.new(self.key, body, hashlib.sha256).hexdigest().encode() + b" " + body
        view = memoryview(body + b"\n")
        while view:
            view = view[os.write(self._fd, view) :]


class CappedOutputs:
    """Collects a cell's outputs, keeping at most ``limit`` bytes of text and data."""

    def __init__(self, limit):
        self.items = []
        self.size = 0
        self.limit = limit
        self.truncated = False

    def add(self, output):
        size = len(json.dumps(output))
        if self.size + size > self.limit:
            self.truncated = True
            return
        self.size += size
        if output["output_type"] == "stream" and self.items:
            last = self.items[-1]
            if last["output_type"] == "stream" and last["name"] == output["name"]:
                last["text"] += output["text"]
                return
        self.items.append(output)


def to_output(message):
    """Turn a kernel message into an nbformat output, or None for one that is not."""
    kind = message.get("type")
    try:
        if kind == "stream":
            return {"output_type": "stream", "name": str(message["name"]), "text": str(message["text"])}
        if kind == "execute_result":
            return {
                "output_type": "execute_result",
                "data": dict(message["data"]),
                "metadata": dict(message.get("metadata") or {}),
                "execution_count": message.get("execution_count"),
            }
        if kind == "display_data":
            return {
                "output_type": "display_data",
                "data": dict(message["data"]),
                "metadata": dict(message.get("metadata") or {}),
            }
        if kind == "error":
            return {
                "output_type": "error",
                "ename": str(message["ename"]),
                "evalue": str(message["evalue"]),
                "traceback": [str(line) for line in message["traceback"]],
            }
    except (KeyError, TypeError, ValueError):
        return None
    return None


class Kernel:
    """One lean kernel process (``lean_kernel.py``: IPython's shell over pipes) and its pipes."""

    def __init__(self):
        self.process = None
        self.requests = None  # our end of its request pipe
        self.streams = {}  # fd -> "messages", "stdout" or "stderr"
        self.pending = b""
        self.attestations = None
        self.next_id = 0
        self.guard_modules = None  # None until the worker says; then applied to every kernel

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
        inherited = (key_read, attest_write, request_read, message_write)
        env = {
            **os.environ,
            "AUTOGRADE_ATTEST_FDS": f"{key_read},{attest_write}",
            "AUTOGRADE_KERNEL_FDS": f"{request_read},{message_write}",
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
            raise RuntimeError(f"the kernel did not become ready ({ready}, exit code {self.exit_code()})")
        if self.guard_modules is not None:  # a restarted kernel: guard again before any replay
            outcome = self._apply_guard()
            if outcome["status"] != "ok":
                raise RuntimeError(outcome["message"])

    def guard(self, modules):
        """Import and snapshot ``modules`` in the kernel; once per kernel, before learner code.

        The hook honours only the first guard request of a kernel's life, so the agent makes
        sure that one is ours: sent here, or (empty) before the first cell if none came.
        """
        if self.guard_modules is not None:
            return {"status": "error", "message": "the kernel is already guarded"}
        self.guard_modules = [str(m) for m in modules]
        return self._apply_guard()

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
            return {"status": "error", "message": f"the kernel could not be guarded: {detail}", "duration": duration}
        return {"status": "ok", "guarded": good[0].get("modules", []), "duration": duration}

    def _as_learner(self):
        """Popen options that start the kernel as the learner's uid, when we may choose it."""
        if os.getuid() != 0:
            return {}
        return {"user": KERNEL_UID, "group": KERNEL_GID, "extra_groups": []}

    def stop(self):
        """Kill the kernel and its process group (what its cells started), as jupyter_client does."""
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
        ended (``os.system`` to stderr) went to the next cell, or nowhere.
        """
        for fd, kind in list(self.streams.items()):
            if kind == "messages":
                continue
            while fd in self.streams and select.select([fd], [], [], 0)[0]:
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


class Attestations:
    """The pipe the kernel's audit hook writes signed records to; only signed ones count."""

    def __init__(self, fd, key, pid):
        self.fd = fd
        self.key = key
        self.pid = pid  # a forked copy of the kernel shares the key but not this pid
        self.buffer = b""
        self.poisoned = ""  # set once anything unsigned appears: later verdicts cannot be trusted

    def close(self):
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def read(self, nonce):
        # The hook writes its record inside the audit event, before the kernel reports the
        # cell done, so everything for a cell is already in the pipe: never wait for more.
        while select.select([self.fd], [], [], 0)[0]:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                break
            self.buffer += chunk
            if len(self.buffer) > 1024 * 1024:
                self.buffer = b""
                self.poisoned = self.poisoned or "the attestation pipe was flooded"
        lines, _, self.buffer = self.buffer.rpartition(b"\n")
        records = [self._check(line, nonce) for line in lines.split(b"\n") if lines]
        for record in records:
            if record.get("unsigned"):
                self.poisoned = self.poisoned or record["detail"]
        if self.poisoned:
            records.append({"verdict": "forged", "detail": self.poisoned})
        return records if nonce is not None else []

    def _check(self, line, nonce):
        try:
            message = json.loads(line)
            body = message["body"]
            expected = hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, message["mac"]):
                return {
                    "verdict": "forged",
                    "unsigned": True,
                    "detail": "a record on the attestation pipe had a bad signature",
                }
            record = json.loads(body)
        except (ValueError, KeyError, TypeError, AttributeError):
            return {
                "verdict": "forged",
                "unsigned": True,
                "detail": "something other than the hook wrote to the attestation pipe",
            }
        if nonce is not None and record.get("nonce") != nonce:
            return {"verdict": "forged", "detail": "an attestation for another cell appeared"}
        if record.get("pid") != self.pid:
            return {"verdict": "forged", "detail": "an attestation came from a copy of the kernel"}
        return record


def summarise(records):
    """Verified only with a clean begin and a clean verify record and nothing suspicious."""
    for record in records:
        if record.get("verdict") in ("forged", "tampered"):
            return {"verdict": record["verdict"], "detail": record.get("detail", "")}
    events = {r.get("event"): r for r in records}
    if events.get("verify", {}).get("verdict") == "error":
        return {"verdict": "error", "detail": events["verify"].get("detail", "")}
    if set(events) != {"begin", "verify"} or len(records) != 2:
        return {"verdict": "missing", "detail": "the test cell did not attest its start and end"}
    return {"verdict": "verified", "detail": ""}


def put_files(files):
    """Write the assignment's data files into the work directory, owned by the learner."""
    root = os.path.realpath(WORKDIR)
    for name, encoded in files.items():
        path = os.path.realpath(os.path.join(root, name))
        if not path.startswith(root + os.sep):
            raise ValueError(f"file outside the work directory: {name}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(encoded))
        if os.getuid() == 0:
            for target in _created_between(root, path):
                os.chown(target, KERNEL_UID, KERNEL_GID)


def _created_between(root, path):
    """The file and each of its folders below the work directory."""
    while path != root:
        yield path
        path = os.path.dirname(path)


class Intrusion(Exception):
    """A request line that the worker did not sign, or signed and sent before."""


def read_request(channel, line, last_id):
    """Parse a request; after the hello, only signed lines with a fresh id are accepted.

    Under gVisor another uid can open /proc/<agent>/fd/0, so an unsigned or replayed line
    means learner code is writing to our input: the run ends and the worker flags it.
    """
    if channel.key is not None:
        mac, _, line = line.rstrip("\n").partition(" ")
        expected = hmac.new(channel.key, line.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, expected):
            raise Intrusion("an unsigned request reached the agent")
    try:
        request = json.loads(line)
    except ValueError as exc:
        raise Intrusion("a request that is not JSON reached the agent") from exc
    if channel.key is not None and not (isinstance(request.get("id"), int) and request["id"] > last_id):
        raise Intrusion("a request was replayed to the agent")
    return request


def serve(kernel, channel, lines):
    last_id = 0
    for line in lines:
        try:
            request = read_request(channel, line, last_id)
        except Intrusion as exc:
            channel.send({"event": "intrusion", "message": str(exc)})
            return
        last_id = request.get("id") if isinstance(request.get("id"), int) else last_id
        op = request.get("op")
        reply = {"id": request.get("id")}
        if op == "hello" and channel.key is None:
            channel.key = bytes.fromhex(request["key"])
            reply["status"] = "ok"
        elif op == "execute":
            reply.update(
                kernel.execute(
                    request["code"], float(request.get("timeout", 30)), bool(request.get("attest"))
                )
            )
        elif op == "put_files":
            put_files(request.get("files", {}))
            reply["status"] = "ok"
        elif op == "restart":
            kernel.restart()
            reply["status"] = "ok"
        elif op == "guard":
            reply.update(kernel.guard(request.get("modules", [])))
        elif op == "ping":
            reply["status"] = "ok" if kernel.is_alive() else "dead"
        elif op == "shutdown":
            channel.send({**reply, "status": "ok"})
            return
        else:
            reply.update(status="bad_request", message=f"unknown op {op!r}")
        channel.send(reply)


def main():
    make_non_dumpable()
    channel = Channel()
    stdin = os.fdopen(os.dup(0), "r", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    kernel = Kernel()
    started = time.monotonic()
    try:
        kernel.start()
    except Exception as exc:  # report, then exit: the worker decides what a failed start means
        channel.send({"event": "failed", "message": f"kernel did not start: {exc}"})
        return 1
    channel.send(
        {"event": "ready", "startup": round(time.monotonic() - started, 3), "python": sys.version.split()[0]}
    )
    try:
        serve(kernel, channel, stdin)
    finally:
        kernel.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
