"""Loops that fill a collection become comprehensions, and no line moves."""

from __future__ import annotations

from integrity.canonical import canonical_source

LOOP = """def f(xs):
    out = []
    for x in xs:
        if x > 0:
            out.append(x * 2)
    return out
"""


def test_a_filtering_loop_becomes_its_list_comprehension_on_the_same_lines() -> None:
    lines = canonical_source(LOOP).splitlines()
    assert lines[1] == "    out = [x * 2 for x in xs if x > 0]"
    assert lines[2:5] == ["", "", ""]
    assert lines[5] == "    return out"


def test_the_loop_and_the_comprehension_agree() -> None:
    written = "def f(xs):\n    out = [x * 2 for x in xs if x > 0]\n\n\n\n    return out\n"
    assert canonical_source(LOOP) == written


def test_sums_sets_and_dicts_built_by_loops_are_rewritten() -> None:
    code = "t = 0\nfor x in xs:\n    t += x\ns = set()\nfor x in xs:\n    s.add(x)\nd = {}\nfor k in xs:\n    d[k] = 1\n"
    lines = canonical_source(code).splitlines()
    assert lines[0] == "t = sum((x for x in xs))"
    assert lines[3] == "s = {x for x in xs}"
    assert lines[6] == "d = {k: 1 for k in xs}"
    assert len(lines) == 9


def test_a_loop_doing_more_than_filling_is_left_alone() -> None:
    code = "out = []\nfor x in xs:\n    out.append(x)\n    total += x\n"
    assert canonical_source(code) == code


def test_code_that_does_not_parse_is_left_alone() -> None:
    assert canonical_source("out = [\nfor x in") == "out = [\nfor x in"
