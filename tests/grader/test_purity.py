"""The pure packages do no I/O: they import no adapter library and no adapter package.

``grader/`` is the grading core; ``integrations/`` the signing, retry and export rules
platforms rely on.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = sorted(
    [
        *(ROOT / "grader").glob("*.py"),
        *(ROOT / "integrations").glob("*.py"),
        *(ROOT / "exam_bank").glob("*.py"),
        *(ROOT / "records").glob("*.py"),
        *(ROOT / "credentials").glob("*.py"),
        *(ROOT / "integrity").glob("*.py"),
    ]
)
FORBIDDEN = {
    "docker",
    "redis",
    "rq",
    "flask",
    "sqlalchemy",
    "psycopg",
    "requests",
    "socket",
    "subprocess",
    "urllib",
    "http",
    "sandboxes",
    "store",
    "web",
    "worker",
    "autograde",
}

PURE_PARTS = {"urllib.parse"}  # string functions on URLs: no request is made by them


@pytest.mark.parametrize("module", PURE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_core_module_imports_no_adapter(module: Path) -> None:
    tree = ast.parse(module.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not {name.split(".")[0] for name in imported - PURE_PARTS} & FORBIDDEN
