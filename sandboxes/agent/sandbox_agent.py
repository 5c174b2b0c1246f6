"""The trusted agent inside a sandbox: runs cells in an IPython kernel for the grader outside.

It speaks newline-delimited JSON on its stdin and stdout, which the worker reaches through
the container's attach stream (the container has no network). Requests:

    {"op": "hello", "key": "<hex>"}       (first; every later reply line is signed with it)
    {"op": "put_files", "files": {"data/x.csv": "<base64>"}, "judge": false}   (judge: false = learner's files)
    {"op": "execute", "id": 3, "code": "...", "timeout": 30, "define": "..."}  (a cell in the kernel)
    {"op": "test", "id": 4, "sealed": "<base64>", "timeout": 30}   (a test cell, in the judge)
    {"op": "restart"}
    {"op": "ping"}                        (is the kernel still up? a warm sandbox is checked before use)
    {"op": "guard", "modules": ["numpy"], "judge": true, "proxies": false}   (before the first cell)
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
its docstring for why not ipykernel), started fresh for every sandbox and after a crash,
with the judge beside it (``judge.py``, which runs the test cells; ``kernel.py`` holds both).
This folder is copied into the image on its own and imports nothing from the project.
"""

import base64
import contextlib
import ctypes
import hashlib
import hmac
import json
import os
import sys
import time

import judge_link
import sealing
from kernel import KERNEL_GID, KERNEL_UID, WORKDIR, Kernel

PR_SET_DUMPABLE = 4


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


def put_files(files, workdir=WORKDIR):
    """Write the assignment's data files into the work directory, owned by the learner."""
    root = os.path.realpath(workdir)
    for name, encoded in files.items():
        path = os.path.realpath(os.path.join(root, name))
        if not path.startswith(root + os.sep):
            raise ValueError(f"file outside the work directory: {name}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(encoded))
        if os.getuid() == 0 and workdir == WORKDIR:
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
            timeout = float(request.get("timeout", 30))
            reply.update(kernel.execute(request["code"], timeout, bool(request.get("attest"))))
            if reply["status"] == "ok" and request.get("define"):
                kernel.define(str(request["define"]), timeout)
        elif op == "test":
            code = sealing.open_sealed(channel.key, request["sealed"])
            reply.update(kernel.execute_test(code, float(request.get("timeout", 30))))
        elif op == "put_files":
            put_files(request.get("files", {}))
            # the judge's own pristine copy, out of the learner's reach; never the learner's own files
            if request.get("judge", True) is not False and os.path.isdir(judge_link.JUDGE_HOME):
                put_files(request.get("files", {}), judge_link.JUDGE_HOME)
            reply["status"] = "ok"
        elif op == "restart":
            kernel.restart()
            reply["status"] = "ok"
        elif op == "guard":
            judged, proxies = request.get("judge", True) is not False, request.get("proxies") is True
            reply.update(kernel.guard(request.get("modules", []), judged, proxies))
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
