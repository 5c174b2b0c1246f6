"""A synthetic cohort with known copies: honest solutions generated from seeds, copies disguised.

Each honest learner's answers are built from random statement blocks (their own seed), so
no two honest learners share more than chance and the starter code. A copier takes one
honest learner's notebook and disguises it with a few of the transformations copiers use:
renaming, reordering independent statements, adding comments, adding prints, turning loops
into comprehensions (and back), and rewording the prose. Every pair inside a family (the
original and its copies) is a known copy; every other pair is honest.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import combinations

import nbformat
from nbformat import NotebookNode

from grader.assignment import Assignment, build_assignment
from grader.cells import grade_id_of
from grader.notebooks import copy_notebook
from tests.builders import make_answer_cell, make_manual_cell, make_notebook, make_test_cell, to_bytes

NOTEBOOK = "hw.ipynb"
PROBLEMS = ("stats", "filter", "count", "report")
SKELETON_BODY = "    result = []\n    for item in data:\n        pass\n"  # the starter code learners keep
SHORT = "def mean(data):\n    return sum(data) / len(data)\n"  # the answer everyone writes
PROSE = """the loop visits every value once so the cost grows linearly with the input while sorting first
would cost more memory is constant because only counters are kept a dictionary keeps the counts
by key the edge case is an empty list where the mean is undefined and we return none instead
duplicates are counted once per occurrence the threshold is inclusive negative values are skipped"""
WORDS = tuple(PROSE.split())
TRANSFORMS = ("rename", "reorder", "comments", "prints", "comprehensions")


@dataclass
class Block:
    """Statements at the body's level; ``alt`` is the same computation in the other form."""

    lines: list[str]
    defines: str
    uses: frozenset[str]
    alt: list[str] | None = None


@dataclass
class Solution:
    """One learner's answers: code blocks per problem, sentences of the markdown answer."""

    blocks: dict[str, list[Block]]
    prose: list[str]
    renames: dict[str, str] = field(default_factory=dict)
    comments: bool = False
    prints: bool = False


@dataclass(frozen=True)
class Learner:
    name: str
    family: int
    notebook: NotebookNode


def assignment(problems: tuple[str, ...] = PROBLEMS) -> Assignment:
    return build_assignment({NOTEBOOK: source_bytes(problems)})


def source_bytes(problems: tuple[str, ...] = PROBLEMS) -> bytes:
    """Four coded problems (one with a real skeleton to keep), the short answer, a markdown answer."""
    cells = [nbformat.v4.new_markdown_cell("# Homework\nAnswer every question.")]
    for index, problem in enumerate(problems):
        head = f"def {problem}(data, limit):\n" + (SKELETON_BODY if index == 0 else "")
        solution = f"{head}    ### BEGIN SOLUTION\n    return data\n    ### END SOLUTION\n"
        cells.append(make_answer_cell(problem, solution, stub=True))
        cells.append(make_test_cell(f"test_{problem}", f"assert {problem}([1, 2], 1) is not None", points=1))
    cells.append(make_answer_cell("mean", "### BEGIN SOLUTION\n" + SHORT + "### END SOLUTION", stub=True))
    cells.append(make_test_cell("test_mean", "assert mean([1, 3]) == 2", points=1))
    cells.append(make_manual_cell("explain", "Explain the cost of your solution.", points=2))
    return to_bytes(make_notebook(*cells))


def honest(rng: random.Random, problems: tuple[str, ...] = PROBLEMS) -> Solution:
    return Solution({p: _blocks(rng) for p in problems}, [_sentence(rng) for _ in range(rng.randint(3, 5))])


def _blocks(rng: random.Random) -> list[Block]:
    lists, numbers = ["data"], ["limit"]
    blocks = []
    for index in range(rng.randint(6, 9)):
        make = rng.choice(BLOCKS)
        block = make(rng, f"v{index}", lists, numbers)
        (lists if block.defines.startswith("L") else numbers).append(block.defines[1:])
        blocks.append(replace(block, defines=block.defines[1:]))
        if block.alt and rng.random() < 0.5:
            blocks[-1] = replace(blocks[-1], lines=block.alt, alt=block.lines)
    return blocks


def _num(rng: random.Random) -> str:
    return str(rng.randint(2, 99))


def _op(rng: random.Random) -> str:
    return rng.choice(["+", "-", "*", "//", "%"])


def _cmp(rng: random.Random) -> str:
    return rng.choice([">", "<", ">=", "<=", "!="])


def _constant(rng: random.Random, v: str, lists: list[str], nums: list[str]) -> Block:
    return Block([f"{v} = {_num(rng)}"], "N" + v, frozenset())


def _arithmetic(rng: random.Random, v: str, lists: list[str], nums: list[str]) -> Block:
    a, b = rng.choice(nums), rng.choice(nums)
    return Block([f"{v} = ({a} {_op(rng)} {_num(rng)}) {_op(rng)} {b}"], "N" + v, frozenset({a, b}))


def _filter_map(rng: random.Random, v: str, lists: list[str], nums: list[str]) -> Block:
    src, a, x = rng.choice(lists), rng.choice(nums), f"x{v}"
    op, num, cmp = _op(rng), _num(rng), _cmp(rng)
    loop = [
        f"{v} = []",
        f"for {x} in {src}:",
        f"    if {x} {cmp} {a}:",
        f"        {v}.append({x} {op} {num})",
    ]
    return Block(
        loop, "L" + v, frozenset({src, a}), [f"{v} = [{x} {op} {num} for {x} in {src} if {x} {cmp} {a}]"]
    )


def _accumulate(rng: random.Random, v: str, lists: list[str], nums: list[str]) -> Block:
    src, x, num = rng.choice(lists), f"x{v}", _num(rng)
    loop = [f"{v} = 0", f"for {x} in {src}:", f"    {v} += {x} * {num}"]
    return Block(loop, "N" + v, frozenset({src}), [f"{v} = sum({x} * {num} for {x} in {src})"])


def _branch(rng: random.Random, v: str, lists: list[str], nums: list[str]) -> Block:
    a, b = rng.choice(nums), rng.choice(nums)
    lines = [
        f"if {a} {_cmp(rng)} {b}:",
        f"    {v} = {a} - {_num(rng)}",
        "else:",
        f"    {v} = {b} {_op(rng)} {_num(rng)}",
    ]
    return Block(lines, "N" + v, frozenset({a, b}))


def _builtin(rng: random.Random, v: str, lists: list[str], nums: list[str]) -> Block:
    src, a = rng.choice(lists), rng.choice(nums)
    forms = [
        (f"{v} = sorted({src}, reverse=True)[:{_num(rng)}]", "L"),
        (f"{v} = max({src}, default=0) - min({src}, default=0)", "N"),
        (f"{v} = len({src}) // {_num(rng)} + {a}", "N"),
        (f"{v} = round({a} / {_num(rng)}, 2)", "N"),
        (f"{v} = {src}.count({a}) * {_num(rng)}", "N"),
        (f"{v} = list(reversed({src}))", "L"),
    ]
    line, kind = rng.choice(forms)
    return Block([line], kind + v, frozenset({src, a}))


def _halve(rng: random.Random, v: str, lists: list[str], nums: list[str]) -> Block:
    a = rng.choice(nums)
    return Block(
        [f"{v} = abs({a})", f"while {v} > {_num(rng)}:", f"    {v} = {v} // 2"], "N" + v, frozenset({a})
    )


def _tally(rng: random.Random, v: str, lists: list[str], nums: list[str]) -> Block:
    src, x = rng.choice(lists), f"x{v}"
    loop = [f"{v} = {{}}", f"for {x} in {src}:", f"    {v}[{x}] = {v}.get({x}, 0) + 1"]
    alt = [f"{v} = {{{x}: {src}.count({x}) for {x} in {src}}}"]
    return Block([*loop, f"{v} = list({v})"], "L" + v, frozenset({src}), [*alt, f"{v} = list({v})"])


BLOCKS: tuple[Callable[[random.Random, str, list[str], list[str]], Block], ...] = (
    _constant,
    _arithmetic,
    _filter_map,
    _accumulate,
    _branch,
    _builtin,
    _halve,
    _tally,
)


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(9, 14))).capitalize() + "."


def disguise(original: Solution, rng: random.Random, transforms: tuple[str, ...]) -> Solution:
    """A copy of ``original`` with the given transformations applied, and its prose reworded a little."""
    blocks = {p: list(b) for p, b in original.blocks.items()}
    if "reorder" in transforms:
        blocks = {p: _reorder(b, rng) for p, b in blocks.items()}
    if "comprehensions" in transforms:
        blocks = {
            p: [replace(b, lines=b.alt, alt=b.lines) if b.alt else b for b in bs] for p, bs in blocks.items()
        }
    renames = {}
    if "rename" in transforms:
        renames = {
            f"v{i}": rng.choice(["total", "acc", "out", "tmp", "val", "res", "cnt"]) + str(i)
            for i in range(10)
        }
        renames |= {f"xv{i}": f"item{i}" for i in range(10)}
    prose = [_reword(s, rng) for s in original.prose]
    rng.shuffle(prose)
    return Solution(blocks, prose, renames, "comments" in transforms, "prints" in transforms)


def _reorder(blocks: list[Block], rng: random.Random) -> list[Block]:
    """Swap neighbours that do not depend on each other, a few times."""
    out = list(blocks)
    for _ in range(len(out)):
        i = rng.randrange(len(out) - 1)
        first, second = out[i], out[i + 1]
        if (
            first.defines not in second.uses
            and second.defines not in first.uses
            and first.defines != second.defines
        ):
            out[i], out[i + 1] = second, first
    return out


def _reword(sentence: str, rng: random.Random) -> str:
    words = sentence.rstrip(".").split()
    for _ in range(2):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words) + "."


def render(problem: str, solution: Solution, rng: random.Random) -> str:
    """The answer cell's source: the function with its blocks, disguised as the solution says."""
    lines = [f"def {problem}(data, limit):"]
    if problem == PROBLEMS[0]:
        lines += SKELETON_BODY.splitlines()  # the skeleton, kept
    for block in solution.blocks[problem]:
        if solution.comments and rng.random() < 0.5:
            lines.append(f"    # step: {rng.choice(WORDS)} {rng.choice(WORDS)}")
        lines += [f"    {line}" for line in block.lines]
        if solution.prints and rng.random() < 0.5:
            lines.append(f"    print({block.defines})")
    last = solution.blocks[problem][-1].defines
    lines.append(f"    return {last}")
    text = "\n".join(lines) + "\n"
    for old, new in solution.renames.items():
        text = re.sub(rf"\b{old}\b", new, text)
    return text


def notebook(release: NotebookNode, solution: Solution, rng: random.Random) -> NotebookNode:
    nb = copy_notebook(release)
    for cell in nb.cells:
        gid = grade_id_of(cell)
        if gid in solution.blocks:
            cell.source = render(gid, solution, rng)
        elif gid == "mean":
            cell.source = SHORT
        elif gid == "explain":
            cell.source = " ".join(solution.prose)
    return nb


def filled(trusted: Assignment, **answers: str) -> NotebookNode:
    """The release with these answers (by grade id) typed in."""
    nb = copy_notebook(trusted.releases[NOTEBOOK])
    for cell in nb.cells:
        if grade_id_of(cell) in answers:
            cell.source = answers[str(grade_id_of(cell))]
    return nb


def cohort(
    seed: int, originals: int = 30, copies: int = 16, problems: tuple[str, ...] = PROBLEMS
) -> tuple[Assignment, list[Learner]]:
    """``originals`` honest learners, then ``copies`` disguised copies of some of them (families of 2-3)."""
    rng = random.Random(seed)
    trusted = assignment(problems)
    release = trusted.releases[NOTEBOOK]
    solutions = [honest(rng, problems) for _ in range(originals)]
    learners = [Learner(f"honest{i}", i, notebook(release, s, rng)) for i, s in enumerate(solutions)]
    for c in range(copies):
        family = rng.randrange(originals)
        transforms = tuple(rng.sample(TRANSFORMS, rng.randint(2, len(TRANSFORMS))))
        copied = disguise(solutions[family], rng, transforms)
        learners.append(Learner(f"copier{c}", family, notebook(release, copied, rng)))
    return trusted, learners


def known_pairs(learners: list[Learner]) -> set[tuple[str, str]]:
    return {(a.name, b.name) for a, b in combinations(learners, 2) if a.family == b.family}
