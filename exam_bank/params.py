"""A question's parameters: the values each one may take, and how one value is drawn.

Draws use only ``Random.random()``: it is the one method whose sequence Python promises to
keep for a given seed across versions (``randrange``, ``choice`` and ``sample`` have changed
before), and a variant redrawn from its stored seed after an upgrade must still be the one
the learner saw. Stepped ranges are counted in decimal so that ``0.1`` steps give ``0.3``,
not ``0.30000000000000004``, in the learner's notebook.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from specs.fields import MAX_EXACT, Where, describe, read_list, read_mapping, read_number

Scalar = str | int | float | bool | None
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Choices:
    """One of a listed set of values, each equally likely (list one twice to weight it)."""

    values: tuple[Scalar, ...]

    def sample(self) -> Scalar:
        return self.values[0]

    def draw(self, rng: random.Random) -> Scalar:
        return self.values[pick(rng, len(self.values))]


@dataclass(frozen=True)
class Range:
    """A number from ``low`` to ``high`` inclusive: whole numbers when all bounds are ints,
    every ``step`` from ``low`` when a step is given, otherwise any float in between."""

    low: int | float
    high: int | float
    step: int | float | None = None

    def sample(self) -> int | float:
        return self.low

    def draw(self, rng: random.Random) -> int | float:
        step = self.step
        if step is None and isinstance(self.low, int) and isinstance(self.high, int):
            step = 1
        if step is None:
            return self.low + rng.random() * (self.high - self.low)
        low, width, size = _decimal(self.low), _decimal(self.high) - _decimal(self.low), _decimal(step)
        value = low + pick(rng, int(width / size) + 1) * size
        whole = all(isinstance(bound, int) for bound in (self.low, self.high, step))
        return int(value) if whole else float(value)


Domain = Choices | Range


def pick(rng: random.Random, count: int) -> int:
    """An index below ``count``, uniform up to a bias of ``count / 2**53``."""
    return min(int(rng.random() * count), count - 1)


def read_params(value: Any, where: Where) -> dict[str, Domain]:
    """``{name: {choices: [...]}}`` or ``{name: {range: [lo, hi], step: ...}}``."""
    raw = read_mapping(value, where, allowed=None)
    params: dict[str, Domain] = {}
    for name, spec in raw.items():
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise where.error(
                f"{describe(name)} is not a parameter name (letters, digits and _, like a Python name)"
            )
        params[name] = read_domain(spec, where.key(name))
    return params


def read_domain(value: Any, where: Where) -> Domain:
    raw = read_mapping(value, where, allowed=("choices", "range", "step"))
    if "choices" in raw and ("range" in raw or "step" in raw):
        raise where.error("give either 'choices' or 'range' (with an optional 'step'), not both")
    if "choices" in raw:
        items = read_list(raw["choices"], where.key("choices"))
        return Choices(
            tuple(read_scalar(item, where.key("choices").index(i)) for i, item in enumerate(items))
        )
    if "range" not in raw:
        raise where.error("needs 'choices' (a list of values) or 'range' ([low, high])")
    return _range(raw["range"], raw.get("step"), where)


def _range(bounds: Any, step: Any, where: Where) -> Range:
    at = where.key("range")
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise at.error(f"must be a list of two numbers [low, high], not {describe(bounds)}")
    low, high = read_number(bounds[0], at.index(0)), read_number(bounds[1], at.index(1))
    if low >= high:
        raise at.error(f"low {low} must be below high {high}")
    if not math.isfinite(high - low):
        raise at.error(f"[{low}, {high}] is too wide to draw from")
    if step is None:
        return Range(low, high)
    step = read_number(step, where.key("step"))
    if step <= 0:
        raise where.key("step").error(f"must be above 0, not {step}")
    if (_decimal(high) - _decimal(low)) / _decimal(step) > MAX_EXACT:
        raise where.key("step").error(f"{step} gives more than 2**53 values in [{low}, {high}]")
    if step > high - low:
        raise where.key("step").error(
            f"{step} is wider than the range [{low}, {high}]: only {low} could be drawn"
        )
    return Range(low, high, step)


def read_scalar(value: Any, where: Where) -> Scalar:
    """Values rendered with ``repr``: only those whose repr is a Python literal."""
    if isinstance(value, float) and not math.isfinite(value):
        raise where.error(f"{value!r} is not a finite number")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise where.error(f"must be a string, number, true/false or null, not {describe(value)}")


def _decimal(number: int | float) -> Decimal:
    return Decimal(str(number))
