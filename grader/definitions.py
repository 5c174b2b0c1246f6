"""The definitions in a trusted cell that the judge holds too: imports, functions, classes, constants.

Why: a test that calls a helper the instructor defined in a locked cell, or compares with a
constant set there, must get the instructor's helper and constant, not whatever the learner's
process holds under that name by the time the test runs. So the judge runs these statements
of each trusted cell itself, when the cell runs. Everything else a trusted cell does
(loading data, computing values) happens in the learner's process only, and the judge reads
the result from there by value, as it reads the learner's answers: running it twice could
differ (random draws, files) and would cost twice.

A statement is kept when it is at the cell's top level and is an import, a function or class
definition, or an assignment of a literal to plain names. IPython syntax (magics, shell
escapes) is dropped first; a cell that still does not parse gives no definitions.
"""

from __future__ import annotations

import ast

KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def definitions_of(code: str) -> str:
    """The source the judge runs for a trusted cell; empty when there is nothing to hold."""
    if code.lstrip().startswith("%%"):
        return ""  # a cell magic: the whole cell is IPython's, not Python
    try:
        tree = ast.parse(_without_ipython_lines(code))
    except (SyntaxError, ValueError):
        return ""
    kept = [statement for statement in tree.body if _is_definition(statement)]
    return "\n".join(ast.unparse(statement) for statement in kept)


def plain_python(code: str) -> str:
    """The whole cell as the judge can run it: IPython lines dropped; nothing for a cell magic."""
    return "" if code.lstrip().startswith("%%") else _without_ipython_lines(code)


def _without_ipython_lines(code: str) -> str:
    """Line magics and shell escapes become ``pass``, keeping every line number."""
    lines = []
    for line in code.splitlines():
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        lines.append(f"{indent}pass" if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines)


def _is_definition(statement: ast.stmt) -> bool:
    if isinstance(statement, KEPT):
        return True
    if isinstance(statement, ast.Assign):
        return all(isinstance(t, ast.Name) for t in statement.targets) and _is_literal(statement.value)
    if isinstance(statement, ast.AnnAssign):
        return (
            isinstance(statement.target, ast.Name)
            and statement.value is not None
            and _is_literal(statement.value)
        )
    return False


def _is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True
