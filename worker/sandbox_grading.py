"""Grading one submission end to end in a sandbox: shared by the CLI and the worker job."""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from grader.assignment import Assignment
from grader.execution import Budget
from grader.pipeline import Graded, grade, learner_data_files, match_submission
from sandboxes.docker_sandbox import DockerSandbox
from sandboxes.limits import SandboxLimits
from worker.yielding import Gate, YieldingSession


class SandboxSource(Protocol):
    """Where sandboxes come from: a ``DockerSandboxFactory`` (cold) or a ``WarmPool``."""

    limits: SandboxLimits
    worker: str

    def open(self, labels: Mapping[str, str] | None = None, priority: bool = False) -> DockerSandbox: ...


@dataclass(frozen=True)
class SandboxedGrade:
    graded: Graded
    provenance: dict[str, Any]


def grade_in_sandbox(
    title: str,
    assignment: Assignment,
    submission_files: Mapping[str, bytes],
    factory: SandboxSource,
    budget: Budget,
    on_time: bool = True,
    late_credit: float = 1.0,
    labels: Mapping[str, str] | None = None,
    priority: bool = False,
    gate: Gate | None = None,
) -> SandboxedGrade:
    """Open a fresh sandbox, grade, always remove the sandbox; returns the grade and provenance.

    ``factory`` is a ``DockerSandboxFactory`` or a ``WarmPool`` (anything with ``open``,
    ``limits`` and ``worker``): either way the sandbox is new and used for this grade only.
    A ``gate`` makes the grade step aside for exams between cells, on a clock that does
    not count the waiting.
    """
    learner_notebooks = match_submission(assignment, submission_files)
    data_files = learner_data_files(assignment, submission_files)
    started = time.monotonic()
    with factory.open(labels, priority) as sandbox:
        ready = time.monotonic()
        session = sandbox if gate is None else YieldingSession(sandbox, gate)
        clock = time.monotonic if gate is None else gate.clock
        graded = grade(
            title, assignment, learner_notebooks, session, budget, clock, on_time, late_credit, data_files
        )
        image_id, environment, container, warm, cells = (
            sandbox.image_id,
            sandbox.environment,
            sandbox.short_id,
            sandbox.warm,
            sandbox.cell_seconds,
        )
    finished = time.monotonic()
    provenance = {
        "sandbox_image": image_id,
        "sandbox_environment": environment,  # the same on every host that grades alike (the id is not)
        "container": container,
        "warm": warm,
        "runtime": factory.limits.runtime,
        "limits": factory.limits.to_dict(),
        "budget": {"cell_timeout": budget.cell_timeout, "notebook_timeout": budget.notebook_timeout},
        "rubric_version": assignment.rubric.version,
        "worker": f"{socket.gethostname()}/{factory.worker}",
        "timings": {
            "sandbox_start": round(ready - started, 4),
            "execution": round(finished - ready, 4),
            "cells": round(cells, 4),
            "total": round(finished - started, 4),
            "yielded_to_exams": round(gate.yielded, 4) if gate is not None else 0.0,
        },
    }
    return SandboxedGrade(graded, provenance)
