"""Sandboxes without Docker for tests of the worker's own logic around a grade (what it opens, labels,
keeps and stores), never of what a container does: that is tests/sandboxes/test_docker_sandbox.py's.

``grade_in_sandbox`` takes its sandbox source as an argument (the ``SandboxSource`` protocol), and the
jobs reach theirs through the installed worker context; both take this one in their place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from grader.execution import CellRun
from sandboxes.limits import SandboxLimits
from tests.builders import FakeSession
from worker.context import WorkerContext

Behaviour = Callable[[str], CellRun]


def passing(code: str) -> CellRun:
    return CellRun("ok")


@dataclass
class FakeSandbox(FakeSession):
    """A session with what the grade's provenance reads from a sandbox; closed when its ``with`` ends."""

    image_id: str = "sha256:" + "ab" * 32
    environment: str = "sha256:" + "cd" * 32
    short_id: str = "0123456789ab"
    warm: bool = False
    cell_seconds: float = 0.25
    closed: bool = False

    def __enter__(self) -> FakeSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True


@dataclass
class Opened:
    labels: dict[str, str]
    priority: bool
    sandbox: FakeSandbox


@dataclass
class FakeSandboxSource:
    """Opens a new ``FakeSandbox`` each time, running the next of ``behaviours`` (round and round)."""

    behaviours: list[Behaviour] = field(default_factory=lambda: [passing])
    limits: SandboxLimits = field(default_factory=lambda: SandboxLimits(image="fake-sandbox:test"))
    worker: str = "fake-worker"
    opened: list[Opened] = field(default_factory=list)

    def open(self, labels: Mapping[str, str] | None = None, priority: bool = False) -> FakeSandbox:
        behaviour = self.behaviours[len(self.opened) % len(self.behaviours)]
        sandbox = FakeSandbox(behaviour=behaviour)
        self.opened.append(Opened(dict(labels or {}), priority, sandbox))
        return sandbox

    def with_runtime(self, runtime: str) -> FakeSandboxSource:
        """Another runtime's source sharing this one's record of what was opened."""
        return replace(self, limits=replace(self.limits, runtime=runtime))

    def sandboxes(self) -> Iterator[FakeSandbox]:
        return (o.sandbox for o in self.opened)


@dataclass
class FakeSandboxContext(WorkerContext):
    """The real worker context (store, clock, Redis, gate, ``factory_for``) whose factory is ``sandboxes``."""

    sandboxes: FakeSandboxSource = field(default_factory=FakeSandboxSource)

    @property
    def factory(self) -> Any:
        return self.sandboxes
