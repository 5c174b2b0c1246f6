"""Exam specs: a good one parses from YAML or JSON; every problem names its file and field."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exam_bank.params import Choices, Range
from exam_bank.spec import ExamSpec, parse_exam
from grader.errors import BadInput, InvalidExam
from tests.builders import make_answer_cell, make_notebook, make_test_cell, to_bytes
from tests.exam_bank.bank import as_json, as_yaml, plain_question, question, question_files, spec_data
from tests.properties import examples

GOOD_YAML = """\
# Written by hand, as an instructor would: unquoted timestamps, comments, defaults left out.
title: Probability midterm
time_limit_minutes: 75.5
window:
  opens: 2026-03-02T09:00:00+01:00
  closes: 2026-03-02T21:00:00Z
pools:
  - name: basics
    draw: 1
    questions:
      - file: q1.ipynb
        params:
          k: {choices: [2, 3]}
"""

GOOD_JSON = """{
  "title": "Probability midterm",
  "time_limit_minutes": 75.5,
  "window": {"opens": "2026-03-02T08:00:00Z", "closes": "2026-03-02T23:00:00+02:00"},
  "pools": [{"name": "basics", "draw": 1, "questions": [{"file": "q1.ipynb", "params": {"k": {"choices": [2, 3]}}}]}]
}"""


def parse(data: Any, fmt: str = "yaml", files: dict[str, bytes] | None = None) -> ExamSpec:
    text = as_yaml(data) if fmt == "yaml" else as_json(data)
    return parse_exam(f"exam.{fmt}", text, question_files() if files is None else files)


def test_a_full_spec_parses_with_every_field() -> None:
    spec = parse(spec_data())
    assert spec.title == "Midterm"
    assert spec.time_limit == timedelta(minutes=90)
    assert spec.window.opens == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert (spec.attempts_allowed, spec.grace, spec.requires_proctoring) == (2, timedelta(seconds=30), True)
    assert spec.access.code == "owl-42"
    assert spec.access.networks == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32"))
    assert [(pool.name, pool.draw, pool.question_points) for pool in spec.pools] == [
        ("basics", 2, 1.0),
        ("proofs", 1, 2.0),
    ]
    assert spec.total_points == 2 * 1 + 1 * 2
    basics = spec.find_pool("basics")
    assert basics is not None and [q.file for q in basics.questions] == ["q1.ipynb", "q2.ipynb", "q3.ipynb"]
    assert basics.questions[0].params == {"k": Choices((2, 3, 5))}
    assert basics.questions[2].params == {"k": Range(0.5, 1.5, 0.1)}
    assert spec.find_pool("nope") is None


def test_yaml_and_json_give_the_same_spec() -> None:
    assert parse(spec_data(), "yaml") == parse(spec_data(), "json")


def test_hand_written_yaml_and_json_parse_with_defaults() -> None:
    files = {"q1.ipynb": question(3)}
    from_yaml = parse_exam("exam.yml", GOOD_YAML, files)
    from_json = parse_exam("exam.json", GOOD_JSON, files)
    assert from_yaml == from_json
    assert from_yaml.window.opens == datetime(2026, 3, 2, 8, tzinfo=UTC)  # +01:00 read as an instant
    assert from_yaml.window.closes == datetime(2026, 3, 2, 21, tzinfo=UTC)
    assert (from_yaml.attempts_allowed, from_yaml.grace_seconds, from_yaml.requires_proctoring) == (
        1,
        60,
        True,
    )
    assert from_yaml.access.code is None and from_yaml.access.networks == ()
    assert from_yaml.total_points == 3.0


def test_the_spec_file_itself_may_be_among_the_uploaded_files() -> None:
    files = {"q1.ipynb": question(), "exam.yml": GOOD_YAML.encode()}
    assert parse_exam("exam.yml", GOOD_YAML, files).title == "Probability midterm"


def setting(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets ``a.b[0].c`` to ``value``."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = _steps(path)
        node: Any = data
        for step in parents:
            node = node[step]
        node[last] = value

    return mutate


def removing(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = _steps(path)
        node: Any = data
        for step in parents:
            node = node[step]
        del node[last]

    return mutate


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.replace("]", "").replace("[", ".").split("."):
        steps.append(int(part) if part.isdigit() else part)
    return steps


BASICS_Q0 = "pools[0].questions[0]"
SPEC_ERRORS = [
    (removing("title"), r"exam\.(yaml|json): the required key 'title' is missing"),
    (setting("title", 5), r"exam\.(yaml|json): title: must be a string"),
    (setting("title", "  "), r"exam\.(yaml|json): title: must not be blank"),
    (
        setting("time_limit_minutes", 0),
        r"exam\.(yaml|json): time_limit_minutes: must be above 0 and at most 525600 \(a year\), not 0",
    ),
    (setting("time_limit_minutes", 10**9), r"time_limit_minutes: must be above 0 and at most 525600"),
    (setting("time_limit_minutes", 10**20), r"time_limit_minutes: 100000000000000000000 is too large"),
    (setting("grace_seconds", 10**20), r"grace_seconds: must be at most 86400, not 100000000000000000000"),
    (setting("time_limit_minutes", True), r"time_limit_minutes: must be a finite number, not True"),
    (setting("time_limit_minutes", "90"), r"time_limit_minutes: must be a finite number, not '90'"),
    (
        setting("grace_second", 10),
        r"exam\.(yaml|json): unknown key 'grace_second' \(did you mean 'grace_seconds'\?\)",
    ),
    (
        setting("window.closes", "2026-03-02T08:59:59Z"),
        r"exam\.(yaml|json): window\.closes: 2026-03-02T08:59:59\+00:00 is not after opens",
    ),
    (setting("window.closes", "2026-03-02T09:00:00Z"), r"window\.closes: .* is not after opens"),
    (setting("window.opens", "2026-03-02T09:00:00"), r"window\.opens: 2026-03-02T09:00:00 has no timezone"),
    (
        setting("window.opens", "next monday"),
        r"window\.opens: 'next monday' is not an ISO 8601 date and time",
    ),
    (removing("window.closes"), r"window: the required key 'closes' is missing"),
    (
        setting("window.open", "2026-03-02T09:00:00Z"),
        r"window: unknown key 'open' \(did you mean 'opens'\?\)",
    ),
    (setting("attempts_allowed", 0), r"attempts_allowed: must be at least 1, not 0"),
    (setting("attempts_allowed", 1.5), r"attempts_allowed: must be a whole number, not 1\.5"),
    (setting("grace_seconds", -1), r"grace_seconds: must be at least 0, not -1"),
    (setting("requires_proctoring", "yes"), r"requires_proctoring: must be true or false, not 'yes'"),
    (setting("access.code", 1234), r"access\.code: must be a string \(quote it in YAML\), not 1234"),
    (setting("access.cod", "x"), r"access: unknown key 'cod' \(did you mean 'code'\?\)"),
    (setting("access.networks", []), r"access\.networks: must not be empty"),
    (setting("access.networks", "10.0.0.0/8"), r"access\.networks: must be a list"),
    (
        setting("access.networks[1]", "10.0.0.300/8"),
        r"access\.networks\[1\]: '10\.0\.0\.300/8' is not a network in CIDR",
    ),
    (
        setting("access.networks[0]", "10.1.2.3/16"),
        r"access\.networks\[0\]: '10\.1\.2\.3/16' is not a network .*host bits",
    ),
    (setting("pools", []), r"exam\.(yaml|json): pools: must not be empty"),
    (
        setting("pools[1].draw", 4),
        r"exam\.(yaml|json): pools\[1\]\.draw: 4 is more than the 2 questions in pool 'proofs'",
    ),
    (setting("pools[0].draw", 0), r"pools\[0\]\.draw: must be at least 1, not 0"),
    (removing("pools[0].draw"), r"pools\[0\]: the required key 'draw' is missing"),
    (setting("pools[0].weight", 2), r"pools\[0\]: unknown key 'weight'"),
    (setting("pools[1].name", "basics"), r"pools\[1\]\.name: 'basics' is already the name of pools\[0\]"),
    (setting("pools[0].name", "my pool"), r"pools\[0\]\.name: 'my pool' must be letters, digits"),
    (setting("pools[0].questions", []), r"pools\[0\]\.questions: must not be empty"),
    (
        setting(f"{BASICS_Q0}.file", "q9.ipynb"),
        r"pools\[0\]\.questions\[0\]\.file: 'q9\.ipynb' is not among the uploaded question files",
    ),
    (
        setting("pools[1].questions[0].file", "q1.ipynb"),
        r"pools\[1\]\.questions\[0\]\.file: 'q1\.ipynb' is already used by pools\[0\]\.questions\[0\]",
    ),
    (
        setting(f"{BASICS_Q0}.parms", {}),
        r"pools\[0\]\.questions\[0\]: unknown key 'parms' \(did you mean 'params'\?\)",
    ),
    (
        setting(f"{BASICS_Q0}.params.k", {"choice": [1]}),
        r"questions\[0\]\.params\.k: unknown key 'choice' \(did you mean 'choices'\?\)",
    ),
    (
        setting(f"{BASICS_Q0}.params.k", {"choices": []}),
        r"questions\[0\]\.params\.k\.choices: must not be empty",
    ),
    (
        setting(f"{BASICS_Q0}.params.k", {"choices": [1, [2]]}),
        r"params\.k\.choices\[1\]: must be a string, number, true/false or null",
    ),
    (setting(f"{BASICS_Q0}.params.k", {"range": [5, 1]}), r"params\.k\.range: low 5 must be below high 1"),
    (setting(f"{BASICS_Q0}.params.k", {"range": [1]}), r"params\.k\.range: must be a list of two numbers"),
    (
        setting(f"{BASICS_Q0}.params.k", {"range": [1, "x"]}),
        r"params\.k\.range\[1\]: must be a finite number, not 'x'",
    ),
    (
        setting(f"{BASICS_Q0}.params.k", {"range": [1, 5], "step": 0}),
        r"params\.k\.step: must be above 0, not 0",
    ),
    (
        setting(f"{BASICS_Q0}.params.k", {"range": [1, 2], "step": 5}),
        r"params\.k\.step: 5 is wider than the range \[1, 2\]",
    ),
    (
        setting(f"{BASICS_Q0}.params.k", {"range": [-1e308, 1e308]}),
        r"params\.k\.range: \[-1e\+308, 1e\+308\] is too wide",
    ),
    (
        setting(f"{BASICS_Q0}.params.k", {"range": [0, 10], "step": 1e-300}),
        r"params\.k\.step: 1e-300 gives more than 2\*\*53 values in \[0, 10\]",
    ),
    (
        setting(f"{BASICS_Q0}.params.k", {"choices": [1], "range": [1, 2]}),
        r"params\.k: give either 'choices' or 'range'",
    ),
    (setting(f"{BASICS_Q0}.params.k", {}), r"params\.k: needs 'choices' \(a list of values\) or 'range'"),
    (
        setting(f"{BASICS_Q0}.params.2x", {"choices": [1]}),
        r"questions\[0\]\.params: '2x' is not a parameter name",
    ),
    (
        setting(f"{BASICS_Q0}.params.extra", {"choices": [1]}),
        r"exam\.(yaml|json): pools\[0\]\.questions\[0\]\.params\.extra: q1\.ipynb has no \{\{ extra \}\} placeholder",
    ),
    (
        removing(f"{BASICS_Q0}.params"),
        r"q1\.ipynb, cell 1 \(grade_id 'answer'\): unknown placeholder \{\{ k \}\} \(not in exam\.(yaml|json): pools\[0\]\.questions\[0\]\.params\)",
    ),
]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize(("mutate", "message"), SPEC_ERRORS)
def test_each_spec_problem_names_the_file_and_the_field(
    mutate: Callable[[dict[str, Any]], None], message: str, fmt: str
) -> None:
    data = spec_data()
    mutate(data)
    with pytest.raises(InvalidExam, match=message) as caught:
        parse(data, fmt)
    assert caught.value.code == "invalid_exam" and isinstance(caught.value, BadInput)


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        (b"not json", r"^q2\.ipynb: not a JSON document"),
        (b'{"a": 1}', r"^q2\.ipynb: JSON, but not a Jupyter notebook"),
        (
            to_bytes(make_notebook(make_test_cell("check", "assert {{ k }}", points=None))),
            r"^q2\.ipynb, cell 1 \(grade_id 'check'\): graded cell without points",
        ),
        (to_bytes(make_notebook(make_answer_cell("answer", "k = {{ k }}"))), r"^q2\.ipynb: no graded cells"),
    ],
)
def test_a_question_that_is_not_an_nbgrader_notebook_is_named(replacement: bytes, message: str) -> None:
    files = {**question_files(), "q2.ipynb": replacement}
    with pytest.raises(InvalidExam, match=message):
        parse(spec_data(), files=files)


def test_questions_in_one_pool_must_be_worth_the_same() -> None:
    files = {**question_files(), "q2.ipynb": question(points=2)}
    with pytest.raises(
        InvalidExam,
        match=r"exam\.yaml: pools\[0\]\.questions: every question in pool 'basics' must be worth the same points, but q1\.ipynb is worth 1, q2\.ipynb is worth 2, q3\.ipynb is worth 1",
    ):
        parse(spec_data(), files=files)


def test_an_uploaded_file_no_pool_uses_is_reported() -> None:
    files = {**question_files(), "q9.ipynb": plain_question(), "notes.txt": b"hi"}
    with pytest.raises(InvalidExam) as caught:
        parse(spec_data(), files=files)
    assert caught.value.problems == (
        "notes.txt: no pool in exam.yaml uses this file",
        "q9.ipynb: no pool in exam.yaml uses this file",
    )


def test_a_question_file_must_be_a_notebook() -> None:
    data = spec_data()
    data["pools"][0]["questions"][0] = {"file": "data.csv"}
    with pytest.raises(
        InvalidExam, match=r"pools\[0\]\.questions\[0\]\.file: 'data\.csv' is not a notebook \(\.ipynb\)"
    ):
        parse(data, files={**question_files(), "data.csv": b"a,b\n"})


def test_every_problem_is_reported_at_once() -> None:
    data = spec_data()
    del data["window"]
    data["grace_seconds"] = -5
    data["pools"][0]["draw"] = 9
    data["pools"][0]["questions"][2]["params"]["k"]["step"] = -1
    data["pools"][1]["questions"][1]["file"] = "q1.ipynb"
    with pytest.raises(InvalidExam) as caught:
        parse(data)
    assert [problem.split(": ")[:2] for problem in caught.value.problems] == [
        ["exam.yaml", "the required key 'window' is missing"],
        ["exam.yaml", "grace_seconds"],
        ["exam.yaml", "pools[0].questions[2].params.k.step"],
        ["exam.yaml", "pools[0].draw"],
        ["exam.yaml", "pools[1].questions[1].file"],
    ]
    assert caught.value.message == "; ".join(caught.value.problems)


def test_a_yaml_alias_bomb_is_described_not_printed() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 6)]
    text = GOOD_YAML + "\n".join(levels) + "\nrequires_proctoring: *a5\n"
    with pytest.raises(InvalidExam) as caught:
        parse_exam("exam.yaml", text, {"q1.ipynb": question()})
    assert "exam.yaml: requires_proctoring: must be true or false, not a list" in caught.value.problems
    assert len(caught.value.message) < 2000


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("exam.txt", "title: x", r"^exam\.txt: an exam spec must be a \.yaml, \.yml or \.json file"),
        ("exam.yaml", "title: [unclosed", r"^exam\.yaml: not valid YAML \(line 1: expected ',' or ']'"),
        ("exam.json", '{"title": ', r"^exam\.json: not valid JSON \(line 1"),
        (
            "exam.yaml",
            "title: a\ntitle: b\n",
            r"^exam\.yaml: not valid YAML \(the key 'title' appears twice \(line 2\)\)",
        ),
        ("exam.json", '{"title": "a", "title": "b"}', r"^exam\.json: the key 'title' appears twice"),
        ("exam.yaml", "- a list\n", r"^exam\.yaml: must be a mapping of keys to values, not a list"),
        ("exam.yaml", "", r"^exam\.yaml: must be a mapping of keys to values, not None"),
        (
            "exam.yaml",
            "title: t\nwindow:\n  opens: 2026-03-02\n  closes: 2026-03-03T00:00:00Z\n",
            r"window\.opens: must be an ISO 8601 date and time with a timezone, not a date without a time",
        ),
        (
            "exam.yaml",
            "title: t\nwindow:\n  opens: 2026-03-02T09:00:00\n  closes: 2026-03-03T00:00:00Z\n",
            r"window\.opens: 2026-03-02T09:00:00 has no timezone",
        ),
        (
            "exam.yaml",
            "title: t\ntime_limit_minutes: .nan\n",
            r"time_limit_minutes: must be a finite number, not nan",
        ),
    ],
)
def test_documents_that_cannot_be_read_are_named(name: str, text: str, message: str) -> None:
    with pytest.raises(InvalidExam, match=message):
        parse_exam(name, text, {"q1.ipynb": question()})


def test_a_duplicated_key_deep_in_yaml_is_refused() -> None:
    text = GOOD_YAML.replace("    draw: 1\n", "    draw: 1\n    draw: 2\n")
    with pytest.raises(InvalidExam, match=r"the key 'draw' appears twice \(line 10\)"):
        parse_exam("exam.yaml", text, {"q1.ipynb": question()})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIELD_PATHS = [
    "title",
    "time_limit_minutes",
    "window",
    "window.opens",
    "access",
    "access.networks",
    "access.networks[0]",
    "requires_proctoring",
    "pools",
    "pools[0]",
    "pools[0].draw",
    "pools[0].questions",
    "pools[0].questions[1]",
    f"{BASICS_Q0}.params",
    f"{BASICS_Q0}.params.k",
    f"{BASICS_Q0}.params.k.range",
    "pools[1].questions[0].params.k.step",
]


@settings(max_examples=examples(150), deadline=None)
@given(path=st.sampled_from(FIELD_PATHS), value=json_values, fmt=st.sampled_from(["yaml", "json"]))
def test_any_value_in_any_field_parses_or_is_refused_as_invalid_exam(path: str, value: Any, fmt: str) -> None:
    data = spec_data()
    setting(path, value)(data)
    try:
        parse(data, fmt)
    except InvalidExam as exc:
        assert all(problem.startswith(("exam.", "q", "p")) for problem in exc.problems)
