"""Which libraries a grade depends on, so the sandbox guards them before learner code runs.

The kernel's audit hook snapshots the objects a test's verdict depends on and flags any
change (``sandboxes/agent/attest.py``). Builtins and IPython are always guarded. numpy and
pandas cost about half a second of CPU to import, so a warm sandbox does not import them
ahead of need: when a submission takes the sandbox, the worker names the ones the
instructor's source uses, and the hook imports and snapshots them then, before the first
learner cell. A library the source never mentions cannot be what its tests rely on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from grader.cells import source_text

if TYPE_CHECKING:
    from nbformat import NotebookNode  # typing only: nbformat takes a second to import (issue 22)

# the only names the hook accepts; each brings its test helpers along
GUARDABLE = {"numpy": ("numpy", "numpy.testing"), "pandas": ("pandas", "pandas.testing")}
_MENTION = re.compile(r"\b(" + "|".join(GUARDABLE) + r")\b")


def libraries_to_guard(sources: Iterable[NotebookNode]) -> tuple[str, ...]:
    """Module names to guard for notebooks whose code cells mention a guardable library."""
    found: set[str] = set()
    for notebook in sources:
        for cell in notebook.cells:
            if cell.cell_type == "code":
                found.update(_MENTION.findall(source_text(cell)))
    return tuple(module for library in sorted(found) for module in GUARDABLE[library])
