"""One attempt's variant: the questions it drew from each pool and their parameter values.

The draw is a pure function of the spec and a seed the caller stores with the attempt. The
seed goes through SHA-256 into ``random.Random`` (never ``hash()``, which Python salts per
process), so a regrade or an audit replays the same variant; the variant record itself
(``to_dict``) is stored too, so that what the learner saw survives later edits to the spec.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exam_bank.params import Scalar, pick, read_scalar
from exam_bank.rendering import render_question
from exam_bank.spec import POOL_NAME, ExamSpec
from grader.errors import InvalidExam, InvalidSpec
from specs.fields import Where, describe, read_list, read_mapping, read_text

__all__ = ["DrawnQuestion", "Variant", "draw_variant", "render_question", "variant_sources"]


@dataclass(frozen=True)
class DrawnQuestion:
    pool: str
    file: str
    params: Mapping[str, Scalar]

    def to_dict(self) -> dict[str, Any]:
        return {"pool": self.pool, "file": self.file, "params": dict(self.params)}


@dataclass(frozen=True)
class Variant:
    """The questions in the order the learner sees them: pools in spec order, each in draw order."""

    seed: str
    questions: tuple[DrawnQuestion, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "questions": [question.to_dict() for question in self.questions]}

    @classmethod
    def from_dict(cls, data: Any) -> Variant:
        """Rebuild a stored variant; a malformed record is ``InvalidExam`` naming the field."""
        where = Where("variant")
        try:
            raw = read_mapping(data, where, allowed=("seed", "questions"), required=("seed", "questions"))
            at = where.key("questions")
            items = read_list(raw["questions"], at)
            return cls(
                read_text(raw["seed"], where.key("seed")),
                tuple(_read_drawn(item, at.index(i)) for i, item in enumerate(items)),
            )
        except InvalidSpec as exc:  # the shared spec readers speak InvalidSpec; a variant is the exam's
            raise InvalidExam(exc.message, exc.problems) from exc

    def source_names(self) -> list[str]:
        """``01-<pool>-<file>``...: names that sort in the order the questions are asked."""
        width = max(2, len(str(len(self.questions))))
        return [
            f"{position:0{width}d}-{question.pool}-{question.file.replace('/', '_')}"
            for position, question in enumerate(self.questions, start=1)
        ]


def draw_variant(spec: ExamSpec, seed: str) -> Variant:
    """``draw`` distinct questions from each pool and a value for each of their parameters."""
    if not seed:
        raise ValueError("a variant needs a non-empty seed")
    rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big"))
    drawn = []
    for pool in spec.pools:
        for index in _distinct(rng, len(pool.questions), pool.draw):
            question = pool.questions[index]
            params = {name: question.params[name].draw(rng) for name in sorted(question.params)}
            drawn.append(DrawnQuestion(pool.name, question.file, params))
    return Variant(seed, tuple(drawn))


def variant_sources(spec_files: Mapping[str, bytes], variant: Variant) -> dict[str, bytes]:
    """The rendered source notebooks of one attempt, ready for ``grader.assignment.build_assignment``."""
    sources = {}
    for name, question in zip(variant.source_names(), variant.questions, strict=True):
        if question.file not in spec_files:
            raise InvalidExam(
                f"{question.file}: the variant asks for this question, but the exam has no such file"
            )
        sources[name] = render_question(spec_files[question.file], question.params, name=question.file)
    return sources


def _distinct(rng: random.Random, size: int, count: int) -> list[int]:
    """``count`` distinct indexes below ``size`` in random order (a partial Fisher-Yates shuffle)."""
    order = list(range(size))
    for i in range(count):
        j = i + pick(rng, size - i)
        order[i], order[j] = order[j], order[i]
    return order[:count]


def _read_drawn(value: Any, where: Where) -> DrawnQuestion:
    raw = read_mapping(value, where, allowed=("pool", "file", "params"), required=("pool", "file", "params"))
    pool = read_text(raw["pool"], where.key("pool"))
    if not POOL_NAME.fullmatch(pool):  # it becomes part of a file name in source_names
        raise where.key("pool").error(f"{describe(pool)} is not a pool name")
    params = read_mapping(raw["params"], where.key("params"), allowed=None)
    return DrawnQuestion(
        pool,
        read_text(raw["file"], where.key("file")),
        {str(name): read_scalar(item, where.key("params").key(str(name))) for name, item in params.items()},
    )
