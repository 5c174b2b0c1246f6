"""Finding what a learner must never read: hidden test lines and their literals.

Code that runs after a hidden test can still print it (IPython keeps every cell's source
in ``In`` and ``_ih``), so feedback redacts these fragments from every output it shows.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from grader.cells import HIDDEN_TESTS, Role, role_of, source_text

REDACTED = "[hidden]"
MIN_LINE = 8
QUOTED = re.compile(r"""(['"])((?:\\.|(?!\1).){3,})\1""")


def hidden_fragments(cells: Iterable[dict[str, object]]) -> tuple[str, ...]:
    """Whole hidden lines, string literals of 3+ characters and numbers of 3+ characters."""
    fragments: set[str] = set()
    for cell in cells:
        if role_of(cell) is not Role.TEST:
            continue
        for region in HIDDEN_TESTS.findall(source_text(cell)):
            lines = [line.strip() for line in region.splitlines()[1:-1]]
            fragments.update(line for line in lines if len(line) >= MIN_LINE)
            fragments.update(_literals("\n".join(region.splitlines()[1:-1])))
    return tuple(sorted(fragments, key=len, reverse=True))


def _literals(code: str) -> set[str]:
    found: set[str] = set()
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {match.group(2) for match in QUOTED.finditer(code)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
            text = node.value if isinstance(node.value, str) else repr(node.value)
            if isinstance(node.value, str | int | float | complex | bytes) and len(str(text)) >= 3:
                found.add(str(text))
    return found


def redact(text: str, fragments: tuple[str, ...]) -> str:
    for fragment in fragments:
        if fragment in text:
            text = text.replace(fragment, REDACTED)
    return text
