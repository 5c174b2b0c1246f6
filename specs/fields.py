"""Reading typed fields out of a decoded spec, every error naming the file and the field path.

An instructor who sees ``exam.yaml: pools[1].draw: ...`` can fix the spec without guessing;
an unknown key is refused (with the nearest known key suggested) because a misspelt
``grace_second`` silently falling back to its default is exactly the mistake nobody notices.
Indexes in paths count from 0, as in JSON paths.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ParamSpec, TypeVar

from grader.errors import InvalidSpec

MAX_EXACT = 2**53  # the largest int every float can still tell apart from its neighbour
P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Where:
    """A place in a spec file: the file name and a path such as ``pools[1].draw``."""

    file: str
    path: str = ""

    def key(self, name: str) -> Where:
        return Where(self.file, f"{self.path}.{name}" if self.path else name)

    def index(self, position: int) -> Where:
        return Where(self.file, f"{self.path}[{position}]")

    def __str__(self) -> str:
        return f"{self.file}: {self.path}" if self.path else self.file

    def error(self, message: str) -> InvalidSpec:
        return InvalidSpec(f"{self}: {message}")


def read_mapping(
    value: Any, where: Where, allowed: Collection[str] | None, required: Collection[str] = ()
) -> dict[Any, Any]:
    """A mapping whose keys are all known (any key when ``allowed`` is None) and whose
    required keys are all present; every unknown or missing key is reported together."""
    if not isinstance(value, Mapping):
        raise where.error(f"must be a mapping of keys to values, not {describe(value)}")
    found = key_problems(value, where, allowed, required)
    if found:
        raise InvalidSpec("; ".join(found), tuple(found))
    return dict(value)


def key_problems(
    value: Mapping[Any, Any], where: Where, allowed: Collection[str] | None, required: Collection[str] = ()
) -> list[str]:
    """One problem per unknown key (with the nearest known key) and per missing required key."""
    unknown = [key for key in value if allowed is not None and key not in allowed]
    found = [f"{where}: unknown key {describe(key)}{_suggestion(str(key), allowed or ())}" for key in unknown]
    return found + [f"{where}: the required key {key!r} is missing" for key in required if key not in value]


def read_list(value: Any, where: Where) -> list[Any]:
    """A non-empty list."""
    if not isinstance(value, list):
        raise where.error(f"must be a list, not {describe(value)}")
    if not value:
        raise where.error("must not be empty")
    return value


def read_text(value: Any, where: Where) -> str:
    """A non-blank string; YAML turns ``yes`` or ``0123`` into other types, hence the hint."""
    if not isinstance(value, str):
        raise where.error(f"must be a string (quote it in YAML), not {describe(value)}")
    if not value.strip():
        raise where.error("must not be blank")
    return value


def read_choice(value: Any, where: Where, choices: tuple[str, ...]) -> str:
    """One of a fixed set of words (an attempts policy, say)."""
    text = read_text(value, where)
    if text not in choices:
        raise where.error(f"{text!r} is not one of {', '.join(choices)}")
    return text


def read_bool(value: Any, where: Where) -> bool:
    if not isinstance(value, bool):
        raise where.error(f"must be true or false, not {describe(value)}")
    return value


def read_int(value: Any, where: Where, minimum: int, maximum: int = MAX_EXACT) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(f"must be a whole number, not {describe(value)}")
    if value < minimum:
        raise where.error(f"must be at least {minimum}, not {value}")
    if value > maximum:
        raise where.error(f"must be at most {maximum}, not {describe(value)}")
    return value


def read_number(value: Any, where: Where) -> int | float:
    """An int or a finite float; ``true`` is not 1, ``.nan`` is not a number, and an int
    beyond 2**53 would not survive the float arithmetic of ranges and time limits."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise where.error(f"must be a finite number, not {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise where.error(f"must be a finite number, not {value!r}")
    if isinstance(value, int) and abs(value) > MAX_EXACT:
        raise where.error(f"{describe(value)} is too large (at most 2**53 either side of 0)")
    return value


def read_time(value: Any, where: Where) -> datetime:
    """An ISO 8601 time with a timezone (a string, or a timestamp YAML already parsed), in UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise where.error(f"{describe(value)} is not an ISO 8601 date and time") from exc
    if not isinstance(value, datetime):
        kind = "a date without a time" if isinstance(value, date) else describe(value)
        raise where.error(f"must be an ISO 8601 date and time with a timezone, not {kind}")
    if value.utcoffset() is None:
        raise where.error(f"{value.isoformat()} has no timezone (add Z or an offset such as +02:00)")
    return value.astimezone(UTC)


def describe(value: Any, limit: int = 60) -> str:
    """How a message shows a value: containers by kind (a YAML alias bomb has a huge repr),
    anything else by a repr cut to ``limit`` characters."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _suggestion(key: str, allowed: Collection[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    expected = ", ".join(sorted(allowed))
    return f" (did you mean {close[0]!r}?)" if close else f" (expected one of: {expected})"


class Problems:
    """Collects problems from independent parts of a spec, so that one upload reports them all."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, read: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """``read(...)``, or None after recording the problems it raised."""
        try:
            return read(*args, **kwargs)
        except InvalidSpec as exc:
            self.found.extend(exc.problems)
            return None

    def raise_if_any(self) -> None:
        if self.found:
            raise InvalidSpec("; ".join(self.found), tuple(self.found))
