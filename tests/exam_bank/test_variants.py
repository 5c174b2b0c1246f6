"""Variants: drawn deterministically from a seed, distinct within a pool, balanced, replayable."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exam_bank.params import Choices, Range
from exam_bank.spec import ExamSpec, parse_exam
from exam_bank.variants import DrawnQuestion, Variant, draw_variant, variant_sources
from grader.assignment import build_assignment
from grader.errors import InvalidExam
from tests.exam_bank.bank import as_yaml, question, question_files, spec_data
from tests.properties import examples

FILES = question_files()
SPEC = parse_exam("exam.yaml", as_yaml(spec_data()), FILES)


def six_question_spec() -> ExamSpec:
    data = spec_data()
    data["pools"] = [
        {
            "name": "bank",
            "draw": 2,
            "questions": [{"file": f"b{i}.ipynb", "params": {"k": {"choices": [1, 2, 3]}}} for i in range(6)],
        }
    ]
    return parse_exam("exam.yaml", as_yaml(data), {f"b{i}.ipynb": question() for i in range(6)})


def test_the_same_seed_always_draws_the_same_variant() -> None:
    assert draw_variant(SPEC, "learner-17/attempt-1") == draw_variant(SPEC, "learner-17/attempt-1")
    assert len({json.dumps(draw_variant(SPEC, f"seed-{i}").to_dict()["questions"]) for i in range(20)}) > 1


def test_the_draw_for_a_stored_seed_never_changes() -> None:
    """Pinned on purpose: attempts store only their seed, so changing the draw breaks every audit."""
    assert draw_variant(SPEC, "learner-17/attempt-1").to_dict() == {
        "seed": "learner-17/attempt-1",
        "questions": [
            {"pool": "basics", "file": "q3.ipynb", "params": {"k": 1.4}},
            {"pool": "basics", "file": "q2.ipynb", "params": {"k": 0}},
            {"pool": "proofs", "file": "p2.ipynb", "params": {"k": "b"}},
        ],
    }


def test_a_variant_needs_a_seed() -> None:
    with pytest.raises(ValueError, match="non-empty seed"):
        draw_variant(SPEC, "")


@settings(max_examples=examples(200), deadline=None)
@given(seed=st.text(min_size=1))
def test_each_pool_gives_its_draw_of_distinct_questions_with_values_in_range(seed: str) -> None:
    variant = draw_variant(SPEC, seed)
    assert [question.pool for question in variant.questions] == ["basics", "basics", "proofs"]
    for pool in SPEC.pools:
        drawn = [question for question in variant.questions if question.pool == pool.name]
        files = [question.file for question in drawn]
        assert len(files) == pool.draw and len(set(files)) == pool.draw
        spec_questions = {listed.file: listed for listed in pool.questions}
        for chosen in drawn:
            domains = spec_questions[chosen.file].params
            assert set(chosen.params) == set(domains)
            for name, value in chosen.params.items():
                assert_in_domain(value, domains[name])


def assert_in_domain(value: object, domain: Choices | Range) -> None:
    if isinstance(domain, Choices):
        assert value in domain.values
        return
    assert isinstance(value, int | float) and domain.low <= value <= domain.high
    if domain.step is not None:
        offset = (Decimal(str(value)) - Decimal(str(domain.low))) / Decimal(str(domain.step))
        # On the step grid, and written cleanly: 1.4, not 1.4000000000000001.
        assert offset == offset.to_integral_value()
    elif isinstance(domain.low, int) and isinstance(domain.high, int):
        assert isinstance(value, int)


def test_over_200_seeds_every_question_is_drawn_and_the_counts_are_balanced() -> None:
    spec = six_question_spec()
    variants = [draw_variant(spec, f"learner-{i}") for i in range(200)]
    counts = Counter(question.file for variant in variants for question in variant.questions)
    assert set(counts) == {f"b{i}.ipynb" for i in range(6)}
    expected = 200 * 2 / 6
    chi_square = sum((count - expected) ** 2 / expected for count in counts.values())
    # Each count is Binomial(200, 1/3); the statistic is at most chi-square with 5 degrees of
    # freedom (less, as draws without replacement are negatively correlated), which exceeds
    # 36 with probability below one in a million: a failure means a biased draw, not bad luck.
    assert chi_square < 36, counts
    values = Counter(question.params["k"] for variant in variants for question in variant.questions)
    assert set(values) == {1, 2, 3} and min(values.values()) > 400 / 3 - 60


def test_a_variant_survives_json_and_back() -> None:
    variant = draw_variant(SPEC, "learner-3")
    stored = json.loads(json.dumps(variant.to_dict()))
    assert Variant.from_dict(stored) == variant


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"seed": "s"}, r"^variant: the required key 'questions' is missing"),
        ({"seed": "s", "questions": [], "extra": 1}, r"^variant: unknown key 'extra'"),
        ({"seed": "s", "questions": []}, r"^variant: questions: must not be empty"),
        (
            {"seed": "s", "questions": [{"pool": "p", "file": "f"}]},
            r"^variant: questions\[0\]: the required key 'params' is missing",
        ),
        (
            {"seed": "s", "questions": [{"pool": "p", "file": "f", "params": {"k": [1]}}]},
            r"^variant: questions\[0\]\.params\.k: must be a string, number",
        ),
        ("not a record", r"^variant: must be a mapping"),
        (
            {"seed": "s", "questions": [{"pool": "../up", "file": "f", "params": {}}]},
            r"^variant: questions\[0\]\.pool: '\.\./up' is not a pool name",
        ),
    ],
)
def test_a_malformed_stored_variant_is_refused_naming_the_field(record: object, message: str) -> None:
    with pytest.raises(InvalidExam, match=message):
        Variant.from_dict(record)


def test_an_attempt_gets_rendered_sources_named_in_question_order() -> None:
    variant = draw_variant(SPEC, "learner-17/attempt-1")
    sources = variant_sources(FILES, variant)
    assert list(sources) == ["01-basics-q3.ipynb", "02-basics-q2.ipynb", "03-proofs-p2.ipynb"]
    assignment = build_assignment(sources)
    assert assignment.rubric.max_score == SPEC.total_points
    source_text = "".join(cell.source for cell in assignment.sources["01-basics-q3.ipynb"].cells)
    assert "return x * 1.4" in source_text and "assert f(10) == 10 * 1.4" in source_text
    assert "{{" not in "".join(cell.source for nb in assignment.sources.values() for cell in nb.cells)


def test_the_release_of_an_attempt_leaks_neither_solution_nor_hidden_tests() -> None:
    sources = variant_sources(FILES, draw_variant(SPEC, "learner-17/attempt-1"))
    release = build_assignment(sources).release_files()
    text = b"".join(release.values()).decode()
    assert "return x *" not in text and "f(10)" not in text and "HIDDEN" not in text
    assert "assert f(2) == 2 * 1.4" in text  # the visible test, with this learner's value


def test_names_stay_in_order_past_99_questions() -> None:
    variant = Variant("s", tuple(DrawnQuestion("p", f"sub/q{i}.ipynb", {}) for i in range(100)))
    names = variant.source_names()
    assert names[0] == "001-p-sub_q0.ipynb" and names == sorted(names)


def test_a_variant_asking_for_a_missing_file_is_refused() -> None:
    variant = Variant("s", (DrawnQuestion("basics", "gone.ipynb", {}),))
    with pytest.raises(InvalidExam, match=r"^gone\.ipynb: the variant asks for this question"):
        variant_sources(FILES, variant)
