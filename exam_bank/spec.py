"""The exam spec an instructor uploads: timing, window, access rules and question pools.

``parse_exam`` turns the spec's YAML or JSON text and the question notebooks into frozen
records, or refuses them with ``InvalidExam`` listing every problem, each naming its file
and field (``exam.yaml: pools[1].draw: ...``), since an exam that is wrong is found out by
learners in the middle of a timed sitting. Every question in a pool must be worth the same
points, so that every variant of the exam is worth the same.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from exam_bank.lms_rules import read_lms_score
from exam_bank.params import Domain, read_params
from exam_bank.questions import check_question
from grader.errors import InvalidExam, InvalidSpec
from specs.document import JSON_SUFFIX, YAML_SUFFIXES, decode_spec
from specs.fields import (
    Problems,
    Where,
    describe,
    key_problems,
    read_bool,
    read_int,
    read_list,
    read_mapping,
    read_number,
    read_text,
    read_time,
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
POOL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
NOTEBOOK_SUFFIX = ".ipynb"
# Bounds that only a typo reaches, kept so that every spec's times fit in a timedelta.
MAX_MINUTES = 365 * 24 * 60
MAX_GRACE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Window:
    """When attempts may start; every attempt also ends by ``closes``."""

    opens: datetime
    closes: datetime


@dataclass(frozen=True)
class Access:
    """No code and no networks means anyone enrolled may start within the window."""

    code: str | None = None
    networks: tuple[Network, ...] = ()


@dataclass(frozen=True)
class Question:
    file: str
    params: Mapping[str, Domain] = field(default_factory=dict)


@dataclass(frozen=True)
class Pool:
    """``draw`` distinct questions come from this pool, each worth ``question_points``."""

    name: str
    draw: int
    questions: tuple[Question, ...]
    question_points: float

    @property
    def points(self) -> float:
        return self.draw * self.question_points


@dataclass(frozen=True)
class ExamSpec:
    title: str
    time_limit_minutes: float
    window: Window
    pools: tuple[Pool, ...]
    attempts_allowed: int = 1
    grace_seconds: int = 60
    access: Access = Access()
    requires_proctoring: bool = True
    lms_score: str = (
        "best"  # the best or the latest counting attempt is the LMS's score (exam_bank/lms_rules.py)
    )

    @property
    def time_limit(self) -> timedelta:
        return timedelta(minutes=self.time_limit_minutes)

    @property
    def grace(self) -> timedelta:
        return timedelta(seconds=self.grace_seconds)

    @property
    def total_points(self) -> float:
        return sum(pool.points for pool in self.pools)

    def find_pool(self, name: str) -> Pool | None:
        return next((pool for pool in self.pools if pool.name == name), None)


def parse_exam(spec_name: str, text: str, question_files: Mapping[str, bytes]) -> ExamSpec:
    """Validate the spec and its question notebooks; ``spec_name`` may be among the files."""
    try:
        return _parse_exam(spec_name, text, question_files)
    except InvalidSpec as exc:  # the shared spec readers speak InvalidSpec; say which spec was wrong
        raise InvalidExam(exc.message, exc.problems) from exc


def _parse_exam(spec_name: str, text: str, question_files: Mapping[str, bytes]) -> ExamSpec:
    where = Where(spec_name)
    if not spec_name.endswith((JSON_SUFFIX, *YAML_SUFFIXES)):
        raise InvalidExam(f"{spec_name}: an exam spec must be a .yaml, .yml or .json file")
    raw = read_mapping(decode_spec(spec_name, text), where, allowed=None)
    files = {name: data for name, data in question_files.items() if name != spec_name}
    problems = Problems()
    problems.found += key_problems(raw, where, allowed=(*READERS, "pools"), required=REQUIRED)
    values: dict[str, Any] = {
        key: problems.check(READERS[key], value, where.key(key))
        for key, value in raw.items()
        if key in READERS
    }
    used: dict[str, Where] = {}
    if "pools" in raw:
        values["pools"] = problems.check(_read_pools, raw["pools"], where.key("pools"), files, used, problems)
    problems.raise_if_any()
    # Only on an otherwise clean spec: a question with a typo would make its file look unused.
    problems.found += [
        f"{name}: no pool in {spec_name} uses this file" for name in sorted(files) if name not in used
    ]
    problems.raise_if_any()
    return ExamSpec(**values)


def _read_minutes(value: Any, where: Where) -> float:
    minutes = read_number(value, where)
    if not 0 < minutes <= MAX_MINUTES:
        raise where.error(f"must be above 0 and at most {MAX_MINUTES} (a year), not {minutes}")
    return float(minutes)


def _read_window(value: Any, where: Where) -> Window:
    raw = read_mapping(value, where, allowed=("opens", "closes"), required=("opens", "closes"))
    window = Window(
        read_time(raw["opens"], where.key("opens")), read_time(raw["closes"], where.key("closes"))
    )
    if window.closes <= window.opens:
        raise where.key("closes").error(
            f"{window.closes.isoformat()} is not after opens {window.opens.isoformat()}"
        )
    return window


def _read_access(value: Any, where: Where) -> Access:
    raw = read_mapping(value, where, allowed=("code", "networks"))
    code = read_text(raw["code"], where.key("code")) if "code" in raw else None
    listed = read_list(raw["networks"], where.key("networks")) if "networks" in raw else []
    return Access(
        code, tuple(_read_network(item, where.key("networks").index(i)) for i, item in enumerate(listed))
    )


def _read_network(value: Any, where: Where) -> Network:
    try:
        return ipaddress.ip_network(read_text(value, where))
    except ValueError as exc:  # e.g. host bits set in 10.1.2.3/16: say which network was meant
        raise where.error(f"{describe(value)} is not a network in CIDR notation ({exc})") from exc


def _read_pools(
    value: Any, where: Where, files: Mapping[str, bytes], used: dict[str, Where], problems: Problems
) -> tuple[Pool, ...]:
    items = read_list(value, where)
    pools = [
        problems.check(_read_pool, item, where.index(i), files, used, problems)
        for i, item in enumerate(items)
    ]
    names: dict[str, int] = {}
    for i, pool in enumerate(pools):
        if pool is not None and pool.name in names:
            problems.found.append(
                f"{where.index(i).key('name')}: {pool.name!r} is already the name of pools[{names[pool.name]}]"
            )
        elif pool is not None:
            names[pool.name] = i
    return tuple(pool for pool in pools if pool is not None)


def _read_pool(
    value: Any, where: Where, files: Mapping[str, bytes], used: dict[str, Where], problems: Problems
) -> Pool | None:
    keys = ("name", "draw", "questions")
    raw = read_mapping(value, where, allowed=keys, required=keys)
    name = read_text(raw["name"], where.key("name"))
    if not POOL_NAME.fullmatch(name):
        raise where.key("name").error(
            f"{name!r} must be letters, digits, - and _ (it names the attempt's files)"
        )
    at = where.key("questions")
    items = read_list(raw["questions"], at)
    checked = [problems.check(_read_question, item, at.index(i), files, used) for i, item in enumerate(items)]
    draw = problems.check(_read_draw, raw["draw"], where.key("draw"), len(items), name)
    questions = [entry for entry in checked if entry is not None]
    if draw is None or len(questions) < len(items):
        return None
    worth = {question.file: points for question, points in questions}
    if len(set(worth.values())) > 1:
        listed = ", ".join(f"{file} is worth {points:g}" for file, points in worth.items())
        raise at.error(f"every question in pool {name!r} must be worth the same points, but {listed}")
    return Pool(name, draw, tuple(question for question, _ in questions), questions[0][1])


def _read_draw(value: Any, where: Where, pool_size: int, pool_name: str) -> int:
    draw = read_int(value, where, minimum=1)
    if draw > pool_size:
        raise where.error(f"{draw} is more than the {pool_size} questions in pool {pool_name!r}")
    return draw


def _read_question(
    value: Any, where: Where, files: Mapping[str, bytes], used: dict[str, Where]
) -> tuple[Question, float]:
    raw = read_mapping(value, where, allowed=("file", "params"), required=("file",))
    file = read_text(raw["file"], where.key("file"))
    if file not in files:
        known = ", ".join(sorted(files)) or "none"
        raise where.key("file").error(f"{file!r} is not among the uploaded question files ({known})")
    if not file.endswith(NOTEBOOK_SUFFIX):
        raise where.key("file").error(f"{file!r} is not a notebook ({NOTEBOOK_SUFFIX})")
    if file in used:
        raise where.key("file").error(
            f"{file!r} is already used by {used[file].path}; each file may appear once"
        )
    used[file] = where
    params = read_params(raw.get("params", {}), where.key("params"))
    return Question(file, params), check_question(file, files[file], params, where)


# Every top-level key but ``pools``, whose reader also needs the question files.
READERS: dict[str, Callable[[Any, Where], Any]] = {
    "title": read_text,
    "time_limit_minutes": _read_minutes,
    "window": _read_window,
    "attempts_allowed": partial(read_int, minimum=1),
    "grace_seconds": partial(read_int, minimum=0, maximum=MAX_GRACE_SECONDS),
    "access": _read_access,
    "requires_proctoring": read_bool,
    "lms_score": read_lms_score,
}
REQUIRED = ("title", "time_limit_minutes", "window", "pools")
