"""The queue names (worker/queue_names.py): every queue once, the priorities among them, and a
CLI that offers them at each start without loading RQ or the store."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT
from worker import queues
from worker.queue_names import CALLBACKS, INTEGRITY, PRIORITIES, QUEUE_NAMES


def test_every_queue_is_named_once_and_the_priorities_are_among_them() -> None:
    assert len(set(QUEUE_NAMES)) == len(QUEUE_NAMES)
    assert {*PRIORITIES, CALLBACKS, INTEGRITY} == set(QUEUE_NAMES)
    assert QUEUE_NAMES[0] == "exams" and QUEUE_NAMES[-1] == INTEGRITY  # exams first, similarity last


def test_the_queues_module_serves_the_same_names() -> None:
    assert (queues.QUEUE_NAMES, queues.PRIORITIES) == (QUEUE_NAMES, PRIORITIES)


SHOW_HELP_THEN_MODULES = """
import contextlib, io, sys
from autograde.cli import main
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    main(["worker", "--help"])
print(sorted(sys.modules))
"""


def test_the_cli_starts_without_loading_rq_or_the_store() -> None:
    """`autograde --help` (and a refused start) once took 0.7 s, importing the store to list queues."""
    loaded = subprocess.run(
        [sys.executable, "-c", SHOW_HELP_THEN_MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'autograde.commands'" in loaded  # the parser, with the queues as choices, was built
    assert "'rq'" not in loaded and "'store'" not in loaded and "'sqlalchemy'" not in loaded
