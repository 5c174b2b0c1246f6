"""exam_bank reads no clock and no source of chance: every time and every seed is an argument.

tests/grader/test_purity.py keeps adapters out; this keeps out what would make an exam
unrepeatable in an audit: ``datetime.now()``, ``time``, ``os.urandom``, ``secrets``, ``uuid``
and the module-level functions of ``random`` (only a seeded ``random.Random`` is allowed).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TypeGuard

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted((ROOT / "exam_bank").glob("*.py"))
FORBIDDEN_MODULES = {"time", "secrets", "uuid", "os", "io", "pathlib"}
FORBIDDEN_CALLS = {"now", "utcnow", "today", "urandom", "open"}
RANDOM_ALLOWED = {"Random"}


def offences(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                found.append(node.module)
            if node.module == "random":
                found += [f"random.{alias.name}" for alias in node.names if alias.name not in RANDOM_ALLOWED]
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            if name in FORBIDDEN_CALLS:
                found.append(f"{name}()")
        elif _is_random_attribute(node) and node.attr not in RANDOM_ALLOWED:
            found.append(f"random.{node.attr}")
    return found


def _is_random_attribute(node: ast.AST) -> TypeGuard[ast.Attribute]:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "random"


def test_the_scanner_catches_what_it_is_for() -> None:
    bad = (
        "import time\nfrom datetime import datetime\nimport random\nx = datetime.now()\ny = random.random()\n"
    )
    assert offences(bad) == ["time", "now()", "random.random"]


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_exam_bank_reads_no_clock_and_no_chance(module: Path) -> None:
    assert offences(module.read_text()) == []
