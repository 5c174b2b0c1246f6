"""Warm sandboxes: hardened containers started ahead of need, each handed out exactly once.

Starting a sandbox (container, agent, kernel, attestation hook) costs about a second of CPU;
running a small notebook's cells costs a few hundredths. The pool pays the start before a
submission arrives, so a submission waits only for its own cells. Nothing is ever reused:
a sandbox leaves the pool for one submission and is then destroyed, and the key exchange
and the audit hook happened before any learner code could run in it, exactly as for a cold
start. The pool only changes *when* a sandbox is started, never what it is.

Threads, not processes: a sandbox's attach socket belongs to the process that made it, so
the pool lives in the worker process that grades (``worker.run`` uses a non-forking RQ
worker when the pool is on). Refill threads keep ``size`` sandboxes idle or starting; a
disposal thread removes used containers off the latency path. A refill that fails (the
engine is down) backs off and is retried; ``open`` then falls back to a cold start so the
error reaches the job, which is retried as for any infrastructure fault.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from grader.errors import SandboxError
from sandboxes.docker_sandbox import WARMING_SHARES, DockerSandbox, DockerSandboxFactory, shares_for

POOL_LABEL = "autograde.pool"
PING_TIMEOUT = 5.0
SPARE_POLL = 0.02  # how often a worker waiting for a spare sandbox looks for queued exams
MAX_BACKOFF = 30.0
log = logging.getLogger(__name__)


class WarmPool:
    """Keeps ``size`` sandboxes of one factory ready; ``open`` hands one out, never twice."""

    def __init__(
        self,
        factory: DockerSandboxFactory,
        size: int,
        on_change: Callable[[dict[str, int]], None] | None = None,
        reserve: int = 0,
        hold: Callable[[], None] | None = None,
        warm_shares: int = WARMING_SHARES,
    ) -> None:
        if size < 1 or reserve < 0:
            raise ValueError("a warm pool needs a size of at least 1 and a reserve of 0 or more")
        self.factory = factory
        self.reserve = reserve  # idle sandboxes only priority (exam) grades may take
        self.size = size + reserve
        self.limits = factory.limits
        self.worker = factory.worker
        self._idle: deque[DockerSandbox] = deque()
        self._starting = 0
        self._holding = 0  # of those starting, how many wait for ``hold`` before they begin
        self._in_use = 0  # handed out and not yet closed: still counted against ``size``
        self._changed = threading.Condition()
        self._reporting = threading.Lock()
        self._stopped = threading.Event()
        self._disposals: queue.Queue[Any] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self.started_total = 0  # counters for tests, logs and the benchmark
        self.handed_out = 0
        self.discarded = 0
        self.cold_opens = 0
        self.last_error = ""
        self.on_change = on_change  # told the counts whenever they change (the worker publishes them)
        self.hold = hold  # called before each start and removal: a general worker's pool waits out exams
        self.warm_shares = warm_shares  # an exam lane's pool warms at the exam's weight: no reweight later

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> WarmPool:
        for n in range(self.size):
            self._spawn(self._refill_loop, f"warm-pool-refill-{n}")
        self._spawn(self._dispose_loop, "warm-pool-dispose")
        return self

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def close(self, timeout: float = 30.0) -> None:
        """Stop refilling, remove every idle sandbox and wait for pending removals."""
        self._stopped.set()
        with self._changed:
            idle, self._idle = list(self._idle), deque()
            self._changed.notify_all()
        for sandbox in idle:
            sandbox.close()
        self._disposals.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> WarmPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def idle(self) -> int:
        with self._changed:
            return len(self._idle)

    def wait_ready(self, count: int | None = None, timeout: float = 120.0) -> bool:
        """Block until ``count`` (default: all) sandboxes are idle; for start-up and tests."""
        wanted = self.size if count is None else count
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._idle) < wanted:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stopped.is_set():
                    return False
                self._changed.wait(remaining)
        return True

    def wait_for_spare(self, interrupt: Callable[[], bool], timeout: float) -> bool:
        """Until an ordinary grade could take a sandbox at once, or ``interrupt()`` says stop.

        Also returns when nothing is starting (an ordinary grade would start one cold) and
        when the pool closes. Returns whether a spare sandbox is there.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._changed:
                if len(self._idle) > self.reserve:
                    return True
                if self._starting == 0 or self._stopped.is_set():
                    return False
                self._changed.wait(SPARE_POLL)
            if interrupt():
                return False
        return False

    # -- handing out ---------------------------------------------------------------------

    def open(self, labels: Mapping[str, str] | None = None, priority: bool = False) -> DockerSandbox:
        """A live warm sandbox if one is ready or about to be, else a cold one.

        ``labels`` cannot be put on a container that already exists; the caller's labels
        (the submission id) go into the log and the provenance instead. A priority (exam)
        grade may take the reserved sandboxes too, so a backlog of assignments that keeps
        the pool drained never makes an exam wait for a start. A sandbox handed out leaves
        the low CPU weight it warmed at, so grading outweighs warming.
        """
        deadline = time.monotonic() + self.limits.start_timeout
        for _ in range(self.size + 1):  # then stop trusting the pool and start one cold
            sandbox = self._take(deadline, 0 if priority else self.reserve, priority)
            if sandbox is None:
                break
            # Weight first: a sandbox warms at a low CPU weight, and on a busy machine its
            # agent answered the ping in up to 1.4 s (measured behind a backlog) before it
            # was raised. Raised first, the ping and the grade run at the grade's weight.
            sandbox.reweight(shares_for(priority))
            if sandbox.ping(PING_TIMEOUT):
                self.handed_out += 1
                self._hand_out(sandbox)
                log.debug("warm sandbox %s for %s", sandbox.short_id, dict(labels or {}))
                return sandbox
            self.discarded += 1
            log.warning("warm sandbox %s died while idle (%s); discarded", sandbox.short_id, sandbox.broken)
            sandbox.close()
            with self._changed:
                self._changed.notify_all()  # one fewer owned: a refill thread replaces it now
        self.cold_opens += 1
        sandbox = self.factory.open(labels, priority)
        self._hand_out(sandbox)
        return sandbox

    def _hand_out(self, sandbox: DockerSandbox) -> None:
        """Count it against the pool until it is closed, so its replacement starts only then.

        Starting a replacement costs a second of CPU; started at once, it would compete with
        the very submission the sandbox was taken for. Started when that grade is stored, it
        is ready for the submission after next, and the one after is served from ``idle``.
        """
        with self._changed:
            self._in_use += 1
        sandbox.disposer = self._dispose
        sandbox.on_release = self._released
        self._report()

    def _released(self) -> None:
        with self._changed:
            self._in_use -= 1
            self._changed.notify_all()  # a refill thread starts its replacement
        self._report()

    def _take(self, deadline: float, keep: int, priority: bool = False) -> DockerSandbox | None:
        """An idle sandbox beyond the ``keep`` reserved; waits while one is starting.

        An exam does not wait for a start that is itself held back for exams: it starts cold.
        """
        with self._changed:
            while len(self._idle) <= keep:
                starting = self._starting - (self._holding if priority else 0)
                if starting == 0 or self._stopped.is_set():
                    return None
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)
            return self._idle.popleft()

    # -- background work -----------------------------------------------------------------

    def _refill_loop(self) -> None:
        backoff = 1.0
        while not self._stopped.is_set():
            with self._changed:
                while self._owned() >= self.size and not self._stopped.is_set():
                    self._changed.wait(1.0)
                if self._stopped.is_set():
                    return
                self._starting += 1
            self._report()
            self._wait_for_hold()
            sandbox = self._start_one(backoff)
            kept = False
            with self._changed:
                self._starting -= 1
                if sandbox is not None and not self._stopped.is_set():
                    sandbox.warm = True
                    self._idle.append(sandbox)
                    self.started_total += 1
                    kept = True
                self._changed.notify_all()
            self._report()
            if kept:
                backoff = 1.0
            elif sandbox is not None:  # made while the pool was closing
                sandbox.close()
                return
            else:
                self._stopped.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    def _wait_for_hold(self) -> None:
        """Counted as starting meanwhile, so an ordinary grade waits for it rather than start cold."""
        if self.hold is None:
            return
        with self._changed:
            self._holding += 1
        try:
            self._call_hold()
        finally:
            with self._changed:
                self._holding -= 1
                self._changed.notify_all()

    def _call_hold(self) -> None:
        if self.hold is None or self._stopped.is_set():  # closing: nothing waits any more
            return
        try:
            self.hold()
        except Exception:  # a hint for scheduling; never a reason not to refill or dispose
            log.debug("the pool's hold failed", exc_info=True)

    def status(self) -> dict[str, int]:
        with self._changed:
            return {
                "size": self.size,
                "reserve": self.reserve,
                "idle": len(self._idle),
                "starting": self._starting,
                "in_use": self._in_use,
            }

    def _report(self) -> None:
        if self.on_change is None:
            return
        with self._reporting:  # one at a time: an older count must never land after a newer one
            try:
                self.on_change(self.status())
            except Exception:  # publishing is for dashboards; it never stops grading
                log.debug("could not publish the pool's status", exc_info=True)

    def _owned(self) -> int:
        return len(self._idle) + self._starting + self._in_use

    def _start_one(self, backoff: float) -> DockerSandbox | None:
        """One fresh sandbox, or None after logging why not; a refill thread never dies."""
        try:
            shares = self.warm_shares if self.limits.runtime == "runc" else None  # runsc cannot reweight
            return self.factory.open({POOL_LABEL: "warm"}, cpu_shares=shares)
        except SandboxError as exc:
            self.last_error = exc.message
            log.warning("warm pool could not start a sandbox (retrying in %.0f s): %s", backoff, exc.message)
        except Exception as exc:
            self.last_error = repr(exc)
            log.exception("warm pool refill failed (retrying in %.0f s)", backoff)
        return None

    def _dispose(self, container: Any) -> None:
        if self._stopped.is_set():
            DockerSandbox.remove_container(container)
        else:
            self._disposals.put(container)

    def _dispose_loop(self) -> None:
        """Remove used containers one by one, after their grade is on its way to the store."""
        while True:
            container = self._disposals.get()
            if container is None:
                return
            self._call_hold()  # removing a container is engine work, like starting one
            DockerSandbox.remove_container(container)
