"""Uploads for the web tests: sources, learner copies, broken notebooks and zips.

Built on the shared builders in ``tests/builders.py``.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from tests.builders import make_answer_cell, make_manual_cell, make_notebook, make_test_cell, to_bytes

SOLUTION = "def answer():\n    return 42"
VISIBLE_TEST = "assert answer() == 42\n"
HIDDEN_TEST = "### BEGIN HIDDEN TESTS\nassert answer() != 4242\n### END HIDDEN TESTS\n"


def make_source_notebook(points: float = 2) -> Any:
    """An instructor's source: a solution (with its stub) and a test holding hidden tests."""
    return make_notebook(
        make_answer_cell("answer", SOLUTION),
        make_test_cell("test_answer", VISIBLE_TEST + HIDDEN_TEST, points),
    )


def make_learner_notebook(body: str = SOLUTION) -> Any:
    """What a learner sends back: the release with their answer filled in."""
    return make_notebook(
        make_answer_cell("answer", body, stub=True), make_test_cell("test_answer", VISIBLE_TEST, 2)
    )


def source_bytes(points: float = 2) -> bytes:
    return to_bytes(make_source_notebook(points))


def learner_bytes(body: str = SOLUTION) -> bytes:
    return to_bytes(make_learner_notebook(body))


def essay_source_bytes() -> bytes:
    """A source with a test worth 2 points and an essay worth 5 that a person grades."""
    return to_bytes(
        make_notebook(
            make_answer_cell("answer", SOLUTION),
            make_test_cell("test_answer", VISIBLE_TEST, points=2),
            make_manual_cell("essay", points=5),
        )
    )


def nbformat3_bytes() -> bytes:
    return json.dumps(
        {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": []}]}
    ).encode()


def make_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def read_zip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# Uploads that no notebook parser accepts: each must be a 422 that stores nothing.
BAD_NOTEBOOKS = {
    "empty file": b"",
    "not JSON": b"this is not json {",
    "JSON that is not a notebook": b'{"hello": "world"}',
    "nbformat 3 notebook": nbformat3_bytes(),
}
