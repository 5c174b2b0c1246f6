"""What a grading job needs (settings, store, sandbox factory), built once per process.

RQ calls jobs by dotted path with only the submission id, so the adapters live here. RQ
runs each job in a forked work horse: database pools and Docker connections must not be
shared across a fork, so they are rebuilt whenever the process id changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from autograde.settings import Settings
from grader.execution import Budget
from sandboxes.docker_sandbox import DockerSandboxFactory
from store.db import Store


@dataclass
class WorkerContext:
    settings: Settings
    worker_name: str = "worker"
    _made: dict[str, tuple[int, Any]] = field(default_factory=dict)

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
    def factory(self) -> DockerSandboxFactory:
        from autograde.wiring import sandbox_factory

        return self._per_process("factory", lambda: sandbox_factory(self.settings, worker=self.worker_name))

    def factory_for(self, runtime: str | None) -> DockerSandboxFactory:
        """The deployment's factory, or one on the runtime an assignment asks for."""
        factory = self.factory
        if runtime is None or runtime == factory.limits.runtime:
            return factory
        return DockerSandboxFactory(factory.client, replace(factory.limits, runtime=runtime), factory.worker)

    @property
    def budget(self) -> Budget:
        from autograde.wiring import budget

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
