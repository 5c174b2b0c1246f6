"""What a grading job needs (settings, store, sandbox factory), built once per process.

RQ calls jobs by dotted path with only the submission id, so the adapters live here. With
the warm pool off, RQ runs each job in a forked work horse: database pools and Docker
connections must not be shared across a fork, so they are rebuilt whenever the process id
changes. With the pool on, jobs run in the worker process itself, next to the pool.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grader.execution import Budget
from sandboxes.docker_sandbox import PRIORITY_SHARES, DockerSandboxFactory
from sandboxes.pool import WarmPool
from service.clock import DatabaseClock
from service.lti_keys import ToolKeyring
from service.settings import Settings
from store.db import Store
from worker.exams_in_flight import ExamsInFlight
from worker.lti_scores import ScoreSender
from worker.queues import RQEnqueuer
from worker.yielding import Gate

EXAM_MARK_TTL = 60.0  # seconds an exam's in-flight mark outlives a worker killed mid-grade


@dataclass
class WorkerContext:
    settings: Settings
    worker_name: str = "worker"
    _made: dict[str, tuple[int, Any]] = field(default_factory=dict)
    pool: WarmPool | None = None

    def _per_process(self, key: str, make: Any) -> Any:
        pid, value = self._made.get(key, (None, None))
        if pid != os.getpid():
            value = make()
            self._made[key] = (os.getpid(), value)
        return value

    @property
    def store(self) -> Store:
        return self._per_process("store", lambda: Store.from_url(self.settings.database_url))

    @property
    def clock(self) -> DatabaseClock:
        """Now, on the database's time: sweeps, deadlines and deliveries agree with every other host."""
        return self._per_process("clock", lambda: DatabaseClock(self.store.now))

    @property
    def factory(self) -> DockerSandboxFactory:
        from worker.wiring import sandbox_factory

        return self._per_process("factory", lambda: sandbox_factory(self.settings, worker=self.worker_name))

    def start_pool(
        self, on_change: Callable[[dict[str, int]], None] | None = None, exam_lane: bool = False
    ) -> WarmPool | None:
        """Start this process's warm pool, if the settings ask for one.

        An exam lane's pool keeps no reserve (every job it takes is an exam, so sandboxes
        kept back for exams would only be more of the same), warms at the exam's CPU weight
        (nothing to change when one is taken) and never waits for running exams: its refills
        are for the next exam. A general worker's pool waits them out before each container
        start and removal.
        """
        if self.settings.warm_pool_size > 0 and self.pool is None:
            size = self.settings.warm_pool_size
            if exam_lane:
                self.pool = WarmPool(self.factory, size, on_change, warm_shares=PRIORITY_SHARES).start()
            else:
                reserve, hold = self.settings.warm_pool_reserve, self._hold_for_exams
                self.pool = WarmPool(self.factory, size, on_change, reserve=reserve, hold=hold).start()
        return self.pool

    def stop_pool(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def factory_for(self, runtime: str | None) -> DockerSandboxFactory | WarmPool:
        """The warm pool or the deployment's factory, or a cold one on another runtime."""
        factory = self.factory
        if runtime is None or runtime == factory.limits.runtime:
            return self.pool if self.pool is not None else factory
        return factory.with_runtime(runtime)

    @property
    def enqueuer(self) -> RQEnqueuer:
        from worker.wiring import redis_connection

        settings = self.settings
        return self._per_process(
            "enqueuer",
            lambda: RQEnqueuer(redis_connection(settings), settings.queue_prefix, settings.job_timeout),
        )

    @property
    def exams_in_flight(self) -> ExamsInFlight:
        return self._per_process(
            "exams_in_flight",
            lambda: ExamsInFlight(self.enqueuer.connection, self.settings.queue_prefix, EXAM_MARK_TTL),
        )

    def _hold_for_exams(self) -> None:
        gate = self.gate(exam=False)
        if gate is not None:
            gate.wait()

    def gate(self, exam: bool) -> Gate | None:
        """How an ordinary grade yields to running exams; an exam, or a setting of 0, never yields."""
        if exam or self.settings.exam_yield_seconds == 0:
            return None
        return Gate(self.exams_in_flight.busy, self.settings.exam_yield_seconds)

    @property
    def score_sender(self) -> ScoreSender:
        """Sends LTI scores, with this process's tool key and cached access tokens."""
        return self._per_process("score_sender", lambda: ScoreSender(ToolKeyring(self.settings)))

    @property
    def budget(self) -> Budget:
        from worker.wiring import budget

        return budget(self.settings)


_context: WorkerContext | None = None


def install(context: WorkerContext) -> None:
    global _context
    _context = context


def current() -> WorkerContext:
    global _context
    if _context is None:
        _context = WorkerContext(Settings.from_env())
    return _context
