"""Programme specs: a good one parses from YAML or JSON; every problem names its file and field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from grader.errors import BadInput, InvalidProgramme
from records.programme import Band, Policies, Programme, parse_programme
from tests.records.histories import course_data, programme_data

GOOD_YAML = """\
# As a programme team writes it: an unquoted timestamp, defaults left out.
id: ds-micromasters
title: Data Science
courses:
  - course: stats
    required: true
    credits: 4
    weights: {assignments: 0.4, exam: 0.6}
    pass_threshold: 60
    requires_verified_exam: true
    exam: final
  - course: viz
    required: false
    credits: 2.5
    weights: {assignments: 1, exam: 0}
    pass_threshold: 70
    assignments: [hw1, hw2]
electives_needed: 1
policies:
  attempts: latest
  rounding: 0
  letters: [{letter: P, min: 60}, {letter: F, min: 0}]
  freeze_at: 2026-06-01T00:00:00+02:00
"""


def problems_of(data: Any, name: str = "programme.yaml") -> tuple[str, ...]:
    text = yaml.safe_dump(data) if name.endswith(".yaml") else json.dumps(data)
    with pytest.raises(InvalidProgramme) as caught:
        parse_programme(name, text)
    return caught.value.problems


def test_a_hand_written_yaml_spec_parses_with_every_field() -> None:
    programme = parse_programme("programme.yaml", GOOD_YAML)
    assert (programme.id, programme.title, programme.electives_needed) == (
        "ds-micromasters",
        "Data Science",
        1,
    )
    stats, viz = programme.courses
    assert (stats.weight_assignments, stats.weight_exam, stats.pass_threshold) == (0.4, 0.6, 60.0)
    assert (stats.requires_verified_exam, stats.exam, stats.assignments) == (True, "final", None)
    assert (viz.required, viz.credits, viz.assignments, viz.requires_verified_exam) == (
        False,
        2.5,
        ("hw1", "hw2"),
        False,
    )
    assert programme.policies == Policies(
        "latest", 0, (Band("P", 60.0), Band("F", 0.0)), datetime(2026, 5, 31, 22, tzinfo=UTC)
    )


def test_json_and_yaml_of_the_same_spec_give_the_same_programme() -> None:
    data = programme_data()
    assert parse_programme("p.json", json.dumps(data)) == parse_programme("p.yml", yaml.safe_dump(data))


def test_policies_default_to_best_attempt_one_decimal_no_letters_no_freeze() -> None:
    data = programme_data()
    del data["policies"]
    programme = parse_programme("p.json", json.dumps(data))
    assert isinstance(programme, Programme)
    assert programme.policies == Policies("best", 1, (), None)


def test_every_problem_is_reported_at_once_each_naming_file_and_field() -> None:
    data = programme_data(attempts="worst", rounding=7)
    data["courses"][0]["credits"] = 0
    data["courses"][1]["weights"] = {"assignments": 0.5, "exam": 0.7}
    data["courses"][2]["pass_threshold"] = 101
    assert problems_of(data) == (
        "programme.yaml: courses[0].credits: must be above 0, not 0",
        "programme.yaml: courses[1].weights: assignments and exam must sum to 1, not 0.5 + 0.7",
        "programme.yaml: courses[2].pass_threshold: must be at least 0 and at most 100, not 101",
        "programme.yaml: policies.attempts: 'worst' is not one of best, latest",
        "programme.yaml: policies.rounding: must be at most 4, not 7",
    )


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ((), "programme.json: unknown key 'electives' (did you mean 'electives_needed'?)"),
        (("courses", 0), "programme.json: courses[0]: unknown key 'electives'"),
        (("courses", 0, "weights"), "programme.json: courses[0].weights: unknown key 'electives'"),
        (("policies",), "programme.json: policies: unknown key 'electives'"),
    ],
)
def test_an_unknown_key_is_refused_wherever_it_is(place: tuple[Any, ...], expected: str) -> None:
    data = programme_data()
    target: Any = data
    for step in place:
        target = target[step]
    target["electives"] = 1
    (problem,) = problems_of(data, "programme.json")
    assert problem.startswith(expected)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"id": "Data Science"}, "programme.yaml: id: 'Data Science' must be lower-case letters and digits"),
        (
            {"electives_needed": 3},
            "programme.yaml: electives_needed: the programme requires 3 electives but lists "
            "only 2 elective courses (required: false)",
        ),
        ({"electives_needed": -1}, "programme.yaml: electives_needed: must be at least 0, not -1"),
        ({"courses": []}, "programme.yaml: courses: must not be empty"),
        ({"title": None}, "programme.yaml: title: must be a string"),
    ],
)
def test_top_level_fields_are_checked(change: dict[str, Any], expected: str) -> None:
    (problem,) = problems_of({**programme_data(), **change})
    assert problem.startswith(expected)


def test_too_many_electives_is_listed_with_every_other_problem() -> None:
    """Not found only once the rest is fixed: one upload shows every problem, this one too."""
    data = {**programme_data(rounding=9), "id": "Bad Id", "electives_needed": 3}
    problems = problems_of(data)
    assert len(problems) == 3 and any(
        "electives_needed: the programme requires 3 electives" in p for p in problems
    )


def test_a_programme_without_electives_that_needs_one_says_so_in_the_singular() -> None:
    data = {**programme_data(), "electives_needed": 1}
    data["courses"] = [course for course in data["courses"] if course["required"]] + [
        {**data["courses"][2], "required": True}
    ]
    (problem,) = problems_of(data)
    assert (
        problem
        == "programme.yaml: electives_needed: the programme requires 1 elective but lists none (required: false)"
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("required", "yes", "courses[1].required: must be true or false"),
        ("weights", {"assignments": 1.5, "exam": -0.5}, "courses[1].weights.assignments: must be at least 0"),
        ("weights", {"assignments": 1}, "courses[1].weights: the required key 'exam' is missing"),
        ("pass_threshold", True, "courses[1].pass_threshold: must be a finite number"),
        ("assignments", ["hw1", "hw1"], "courses[1].assignments: lists an assignment more than once"),
        ("course", "stats", "courses[1].course: 'stats' is already courses[0]"),
    ],
)
def test_course_fields_are_checked(field: str, value: Any, expected: str) -> None:
    data = programme_data()
    data["courses"][1][field] = value
    problems = problems_of(data)
    assert problems[0].startswith(f"programme.yaml: {expected}"), problems


def test_a_course_missing_its_keys_names_each() -> None:
    data = programme_data()
    data["courses"][3] = {"course": "nlp"}
    assert problems_of(data) == tuple(
        f"programme.yaml: courses[3]: the required key {key!r} is missing"
        for key in ("required", "credits", "weights", "pass_threshold")
    )


@pytest.mark.parametrize(
    ("policies", "expected"),
    [
        (
            {"letters": [{"letter": "B", "min": 80}, {"letter": "A", "min": 90}]},
            "policies.letters[1].min: 90 must be below 80 (bands are listed highest first)",
        ),
        ({"letters": [{"letter": "A"}]}, "policies.letters[0]: the required key 'min' is missing"),
        ({"freeze_at": "2026-06-01T00:00:00"}, "policies.freeze_at: 2026-06-01T00:00:00 has no timezone"),
        ({"rounding": 1.5}, "policies.rounding: must be a whole number"),
    ],
)
def test_policies_are_checked(policies: dict[str, Any], expected: str) -> None:
    (problem,) = problems_of(programme_data(**policies))
    assert problem.startswith(f"programme.yaml: {expected}")


def test_undecodable_text_and_unknown_suffixes_are_invalid_programmes_and_bad_input() -> None:
    with pytest.raises(InvalidProgramme, match=r"programme.yaml: not valid YAML"):
        parse_programme("programme.yaml", "id: [unclosed")
    with pytest.raises(InvalidProgramme, match=r"p.json: the key 'id' appears twice"):
        parse_programme("p.json", '{"id": "a", "id": "b"}')
    with pytest.raises(
        BadInput, match=r"p.txt: a programme spec must be a .yaml, .yml or .json file"
    ) as caught:
        parse_programme("p.txt", json.dumps(programme_data()))
    assert caught.value.code == "invalid_programme"


def test_a_course_graded_on_its_exam_alone_may_list_no_assignments() -> None:
    data = programme_data()
    data["courses"][3] = course_data(
        "nlp", required=False, weights={"assignments": 0, "exam": 1}, assignments=[]
    )
    assert parse_programme("p.json", json.dumps(data)).courses[3].assignments == ()
