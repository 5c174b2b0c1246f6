"""The trusted agent inside a sandbox: runs cells in a Jupyter kernel for the grader outside.

It speaks newline-delimited JSON on its stdin and stdout, which the worker reaches through
the container's attach stream (the container has no network). Requests:

    {"op": "hello", "key": "<hex>"}       (first; every later reply line is signed with it)
    {"op": "put_files", "files": {"data/x.csv": "<base64>"}}
    {"op": "execute", "id": 3, "code": "...", "timeout": 30}
    {"op": "restart"}
    {"op": "ping"}                        (is the kernel still up? a warm sandbox is checked before use)
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
only the standard library and jupyter_client, both installed in the image: this file is
copied into the image on its own and imports nothing from the project.
"""

import base64
import contextlib
import ctypes
import hashlib
import hmac
import json
import os
import queue
import secrets
import select
import subprocess
import sys
import time

from jupyter_client.manager import KernelManager

WORKDIR = os.environ.get("HOME", "/home/learner")
OUTPUT_LIMIT = int(os.environ.get("AUTOGRADE_OUTPUT_LIMIT", str(1024 * 1024)))
INTERRUPT_GRACE = 3.0
PR_SET_DUMPABLE = 4
KERNEL_UID = KERNEL_GID = 1000
RUNTIME_DIR = os.environ.get("JUPYTER_RUNTIME_DIR", "/tmp/.jupyter-runtime")
ATTEST_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "attest.py")
PROBE_TIMEOUT = 10.0


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
            view = view[os.write(self._fd, view):]


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


def to_output(msg):
    """Turn an iopub message into an nbformat output, or None for messages that are not."""
    kind = msg["msg_type"]
    content = msg["content"]
    if kind == "stream":
        return {"output_type": "stream", "name": content["name"], "text": content["text"]}
    if kind == "execute_result":
        return {
            "output_type": "execute_result",
            "data": content["data"],
            "metadata": content.get("metadata", {}),
            "execution_count": content.get("execution_count"),
        }
    if kind == "display_data":
        return {"output_type": "display_data", "data": content["data"], "metadata": content.get("metadata", {})}
    if kind == "error":
        return {
            "output_type": "error",
            "ename": content["ename"],
            "evalue": content["evalue"],
            "traceback": content["traceback"],
        }
    return None


class LearnerKernelManager(KernelManager):
    """Hands the connection file to the kernel's uid once written (we read it via the group)."""

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        path = self.connection_file
        if os.getuid() == 0 and os.path.exists(path) and os.stat(path).st_uid == 0:
            os.chmod(path, 0o640)
            os.chown(path, KERNEL_UID, KERNEL_GID)


class Kernel:
    """One IPython kernel process and a blocking client to it."""

    def __init__(self):
        self.manager = None
        self.client = None
        self.attestations = None

    def start(self):
        """Start a kernel whose bootstrap (attest.py) gets a fresh key and a pipe back to us."""
        key = secrets.token_bytes(32)
        key_read, key_write = os.pipe()
        os.write(key_write, key)
        os.close(key_write)
        attest_read, attest_write = os.pipe()
        self.manager = LearnerKernelManager(kernel_name="python3")
        try:
            self.manager.start_kernel(
                **self._as_learner(),
                cwd=WORKDIR,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                independent=False,
                pass_fds=(key_read, attest_write),
                env={**os.environ, "AUTOGRADE_ATTEST_FDS": f"{key_read},{attest_write}"},
                extra_arguments=[f"--IPKernelApp.exec_files={json.dumps([ATTEST_FILE])}"],
            )
        finally:
            os.close(key_read)
            os.close(attest_write)
        if self.attestations is not None:
            self.attestations.close()
        self.attestations = Attestations(attest_read, key, self.manager.provisioner.process.pid)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def _as_learner(self):
        """Popen options that start the kernel as the learner's uid, when we may choose it."""
        if os.getuid() != 0:
            return {}
        os.makedirs(RUNTIME_DIR, exist_ok=True)
        os.chmod(RUNTIME_DIR, 0o711)  # the kernel may open its own file here, but not list others
        return {"user": KERNEL_UID, "group": KERNEL_GID, "extra_groups": []}

    def stop(self):
        if self.client is not None:
            self.client.stop_channels()
        if self.manager is not None:
            # the kernel may already be gone; there is then nothing left to stop
            with contextlib.suppress(Exception):
                self.manager.shutdown_kernel(now=True)

    def restart(self):
        self.stop()
        self.start()

    def is_alive(self):
        return self.manager.is_alive()

    def exit_code(self):
        process = getattr(self.manager.provisioner, "process", None)
        return None if process is None else process.poll()

    def execute(self, code, timeout, attest=False):
        """Run one cell; returns a reply dict with status ok, error, timeout or dead.

        With ``attest`` (test cells), the cell is prefixed with the begin event and followed
        by a silent verify cell; the reply carries what the signed records say.
        """
        nonce = secrets.token_hex(16) if attest and not code.lstrip().startswith("%%") else None
        if nonce is not None:
            self.attestations.read(None)  # drop anything left over from earlier cells
            code = f"__import__('sys').audit('autograde.begin', '{nonce}')\n{code}"
        started = time.monotonic()
        msg_id = self.client.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        outputs = CappedOutputs(OUTPUT_LIMIT)
        status = self._collect(msg_id, outputs, started + timeout)
        if status == "timeout":
            self.manager.interrupt_kernel()
            if self._collect(msg_id, outputs, time.monotonic() + INTERRUPT_GRACE) == "timeout":
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
        probe = f"__import__('sys').audit('autograde.verify', '{nonce}')"
        msg_id = self.client.execute(probe, silent=True, store_history=False, allow_stdin=False)
        status = self._collect(msg_id, CappedOutputs(OUTPUT_LIMIT), time.monotonic() + PROBE_TIMEOUT)
        records = self.attestations.read(nonce)
        if status != "ok":
            return {"verdict": "missing", "detail": f"the verification cell did not run ({status})"}
        return summarise(records)

    def _collect(self, msg_id, outputs, deadline):
        """Read iopub until the cell is idle; the shell reply decides ok or error."""
        idle = False
        while not idle:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            try:
                msg = self.client.get_iopub_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                if not self.is_alive():
                    return "dead"
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
            elif msg["msg_type"] == "clear_output":
                outputs.items.clear()
            else:
                output = to_output(msg)
                if output is not None:
                    outputs.add(output)
        return self._reply_status(msg_id, deadline)

    def _reply_status(self, msg_id, deadline):
        while True:
            remaining = max(deadline - time.monotonic(), 0.5)
            try:
                msg = self.client.get_shell_msg(timeout=remaining)
            except queue.Empty:
                return "dead" if not self.is_alive() else "timeout"
            if msg["parent_header"].get("msg_id") == msg_id:
                return "ok" if msg["content"].get("status") == "ok" else "error"


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
                return {"verdict": "forged", "unsigned": True, "detail": "a record on the attestation pipe had a bad signature"}
            record = json.loads(body)
        except (ValueError, KeyError, TypeError, AttributeError):
            return {"verdict": "forged", "unsigned": True, "detail": "something other than the hook wrote to the attestation pipe"}
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
            reply.update(kernel.execute(request["code"], float(request.get("timeout", 30)), bool(request.get("attest"))))
        elif op == "put_files":
            put_files(request.get("files", {}))
            reply["status"] = "ok"
        elif op == "restart":
            kernel.restart()
            reply["status"] = "ok"
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
    channel.send({"event": "ready", "startup": round(time.monotonic() - started, 3), "python": sys.version.split()[0]})
    try:
        serve(kernel, channel, stdin)
    finally:
        kernel.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
