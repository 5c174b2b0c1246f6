"""The agent's handle on the judge process: start it, send it cells, wait for its verdicts.

The judge (``judge.py``) is started beside each kernel, as its own uid, and lives exactly
as long as that kernel: a kernel restarted after a crash gets a fresh judge and fresh pipes
between the two, so nothing a dead kernel (or a process it left behind) wrote can reach the
new judge. The agent speaks to the judge over a socket pair (length-prefixed frames,
``frames.py``); the judge speaks to the kernel over two pipes the agent made and handed out.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import frames

JUDGE_UID = JUDGE_GID = 1001
JUDGE_HOME = "/run/judge"  # a tmpfs owned by root, group judge, mode 0770: the learner cannot enter
HERE = os.path.dirname(os.path.abspath(__file__))
PRELOAD_FILE = os.path.join(HERE, "preloaded-judge.marshal")
LAUNCH = (
    f"import sys; sys.path.insert(0, {HERE!r}); import preload; done = preload.install({PRELOAD_FILE!r}); "
    "import judge; done(); sys.exit(judge.main())"
)
START_TIMEOUT = 60.0
OUTPUT_LIMIT = int(os.environ.get("AUTOGRADE_OUTPUT_LIMIT", str(1024 * 1024)))
INTERRUPT_GRACE = 3.0
# What the judge's interpreter sees of its environment: nothing of the learner's or the agent's.
# NBGRADER_EXECUTION is nbgrader's documented "autograde" marker: tests may branch on it too.
ENV_KEPT = (
    "PATH",
    "LANG",
    "LC_ALL",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "AUTOGRADE_OUTPUT_LIMIT",
    "NBGRADER_EXECUTION",
)


class JudgeFailed(Exception):
    """The judge did not start, or stopped answering the agent."""


class JudgeLink:
    def __init__(self):
        self.process = None
        self.control = None
        self.reader = None
        self.next_id = 0

    def start(self, request_fd, reply_fd, proxies=False):
        """Start a judge holding the judge's ends of its pipes to the kernel (closed here after)."""
        ours, theirs = socket.socketpair()
        env = {name: os.environ[name] for name in ENV_KEPT if name in os.environ}
        env.update(
            HOME=JUDGE_HOME,
            MPLCONFIGDIR=os.path.join(JUDGE_HOME, ".matplotlib"),
            MPLBACKEND="Agg",
            PYTHONDONTWRITEBYTECODE="1",
            AUTOGRADE_JUDGE_FDS=f"{theirs.fileno()},{request_fd},{reply_fd}",
            AUTOGRADE_JUDGE_PROXIES="1" if proxies else "",
        )
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-c", LAUNCH],
                **_as_judge(),
                cwd=JUDGE_HOME if os.path.isdir(JUDGE_HOME) else "/",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(), request_fd, reply_fd),
                start_new_session=True,
                env=env,
            )
        finally:
            theirs.close()
            os.close(request_fd)
            os.close(reply_fd)
        self.control = ours.detach()
        # the judge's verdict carries the test's outputs, capped by the judge at the output limit
        self.reader = frames.FrameReader(self.control, max_body=0, max_header=4 * OUTPUT_LIMIT + 65536)
        ready = self.receive(time.monotonic() + START_TIMEOUT)
        if ready.get("op") != "ready":
            raise JudgeFailed(f"the judge did not start: {ready}")

    def send(self, message, deadline):
        """Send one request; its id, which its reply will carry."""
        self.next_id += 1
        frames.write_frame(self.control, {**message, "id": self.next_id}, b"", deadline)
        return self.next_id

    def request(self, message, deadline):
        """Send one request; its reply, or raise ``frames.Stalled`` at ``deadline``."""
        request_id = self.send(message, deadline)
        while True:
            reply = self.receive(deadline)
            if reply.get("id") == request_id:
                return reply

    def receive(self, deadline):
        header, _ = self.reader.read(deadline)
        return header

    def interrupt(self):
        if self.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGINT)

    def is_alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        if self.process is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        if self.control is not None:
            with contextlib.suppress(OSError):
                os.close(self.control)
        self.process, self.control, self.reader = None, None, None


def _as_judge():
    """Popen options that start the judge as its own uid, when the agent may choose it."""
    if os.getuid() != 0:
        return {}
    return {"user": JUDGE_UID, "group": JUDGE_GID, "extra_groups": []}


def pipes_for_judge():
    """Two pipes: (kernel reads, judge writes) requests and (kernel writes, judge reads) answers.

    Returns the kernel's two ends and the judge's two ends. Made by the agent (uid 0), so
    no other uid can open them through ``/proc`` (checked under runc and gVisor).
    """
    request_read, request_write = os.pipe()
    reply_read, reply_write = os.pipe()
    return (request_read, reply_write), (request_write, reply_read)
