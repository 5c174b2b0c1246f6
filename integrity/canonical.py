"""Loops that build a collection rewritten as the comprehension they are, keeping every line number.

Why: turning ``for`` loops into comprehensions (or back) is the cheapest way to make copied
code look different, and after it no token sequence survives. So before tokenising, each
loop that only fills a fresh list, set, dict or sum is replaced by its comprehension::

    out = []                          out = [x * 2 for x in xs if x > 0]
    for x in xs:              ->
        if x > 0:
            out.append(x * 2)

The comprehension takes the first statement's line and the lines it replaces stay blank,
so a match is still shown on the learner's own lines. Code that does not parse is left as it is.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

BODIES = ("body", "orelse", "finalbody")


def canonical_source(code: str) -> str:
    """``code`` with every collection-building loop as a comprehension, same number of lines."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return code
    lines = code.splitlines()
    for first, loop, comprehension in sorted(_rewrites(tree), key=lambda r: -r[0].lineno):
        if not _whole_lines(lines, first, loop):
            continue
        indent = lines[first.lineno - 1][: first.col_offset]
        end = loop.end_lineno or loop.lineno
        lines[first.lineno - 1 : end] = [indent + comprehension] + [""] * (end - first.lineno)
    return "\n".join(lines) + ("\n" if code.endswith("\n") else "")


def _rewrites(tree: ast.AST) -> Iterator[tuple[ast.stmt, ast.For, str]]:
    for body in _bodies(tree):
        for first, second in zip(body, body[1:], strict=False):
            if isinstance(first, ast.Assign) and isinstance(second, ast.For):
                rewritten = _comprehension(first, second)
                if rewritten is not None:
                    yield first, second, rewritten


def _bodies(tree: ast.AST) -> Iterator[list[ast.stmt]]:
    for node in ast.walk(tree):
        for name in BODIES:
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield body


def _comprehension(init: ast.Assign, loop: ast.For) -> str | None:
    """The one statement a fresh-collection assignment and the loop filling it amount to, if they do."""
    if len(init.targets) != 1 or not isinstance(init.targets[0], ast.Name) or loop.orelse:
        return None
    name = init.targets[0].id
    body, condition = _without_prints(loop.body), None
    if len(body) == 1 and isinstance(body[0], ast.If) and not body[0].orelse:
        condition, body = body[0].test, _without_prints(body[0].body)
    if len(body) != 1:
        return None
    generator = ast.comprehension(
        target=loop.target, iter=loop.iter, ifs=[condition] if condition else [], is_async=0
    )
    built = _built(init.value, body[0], name, generator)
    return None if built is None else f"{name} = {ast.unparse(built)}"


def _built(start: ast.expr, step: ast.stmt, name: str, generator: ast.comprehension) -> ast.expr | None:
    empty = ast.unparse(start)
    added = _added(step, name)
    if empty == "[]" and added and added[0] == "append":
        return ast.ListComp(elt=added[1], generators=[generator])
    if empty == "set()" and added and added[0] == "add":
        return ast.SetComp(elt=added[1], generators=[generator])
    if empty == "{}" and isinstance(step, ast.Assign) and len(step.targets) == 1:
        target = step.targets[0]
        if isinstance(target, ast.Subscript) and _is_name(target.value, name):
            return ast.DictComp(key=target.slice, value=step.value, generators=[generator])
    if (
        empty == "0"
        and isinstance(step, ast.AugAssign)
        and isinstance(step.op, ast.Add)
        and _is_name(step.target, name)
    ):
        return ast.Call(ast.Name("sum"), [ast.GeneratorExp(elt=step.value, generators=[generator])], [])
    return None


def _without_prints(body: list[ast.stmt]) -> list[ast.stmt]:
    """A print in the loop is decoration (normalisation drops it too), not part of what it builds."""
    return [
        s
        for s in body
        if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and _is_name(s.value.func, "print"))
    ]


def _added(step: ast.stmt, name: str) -> tuple[str, ast.expr] | None:
    """``(method, value)`` for a statement ``name.method(value)``, else None."""
    if not isinstance(step, ast.Expr) or not isinstance(step.value, ast.Call):
        return None
    call = step.value
    if not isinstance(call.func, ast.Attribute) or not _is_name(call.func.value, name):
        return None
    return (call.func.attr, call.args[0]) if len(call.args) == 1 and not call.keywords else None


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _whole_lines(lines: list[str], first: ast.stmt, loop: ast.For) -> bool:
    """Only whole lines are replaced: nothing else on the first line or the loop's last, nothing but
    blank lines and comments between the two."""
    before = lines[first.lineno - 1][: first.col_offset]
    end = loop.end_lineno or loop.lineno
    after = lines[end - 1][loop.end_col_offset or 0 :]
    between = lines[first.end_lineno or first.lineno : loop.lineno - 1]
    return (
        not before.strip()
        and not _code(after)
        and (first.end_lineno or first.lineno) < loop.lineno
        and not any(_code(line) for line in between)
    )


def _code(line: str) -> str:
    return line.split("#", 1)[0].strip()
