"""Decoding a spec's text: plain data from YAML or JSON, every refusal an InvalidSpec naming the file.

The readers built on the toolkit (exams, programmes) turn its errors into their own kind.
"""

from __future__ import annotations

import pytest

from exam_bank.spec import parse_exam
from grader.errors import InvalidExam, InvalidProgramme, InvalidSpec
from records.programme import parse_programme
from specs.document import decode_spec


def test_yaml_and_json_decode_to_the_same_plain_data() -> None:
    expected = {"title": "Week 1", "pools": [{"draw": 2}], "open": True}
    assert decode_spec("exam.yaml", "title: Week 1\npools:\n  - draw: 2\nopen: true\n") == expected
    assert decode_spec("exam.yml", "{title: Week 1, pools: [{draw: 2}], open: true}") == expected
    assert decode_spec("exam.json", '{"title": "Week 1", "pools": [{"draw": 2}], "open": true}') == expected


def test_the_toolkit_speaks_invalid_spec_naming_file_and_field() -> None:
    with pytest.raises(
        InvalidSpec, match=r"^spec\.yaml: not valid YAML \(the key 'a' appears twice"
    ) as caught:
        decode_spec("spec.yaml", "a: 1\na: 2\n")
    assert type(caught.value) is InvalidSpec


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("spec.yaml", "pools:\n  - draw: 1\n    draw: 2\n"),
        ("spec.json", '{"pools": [{"draw": 1, "draw": 2}]}'),
    ],
)
def test_a_key_twice_in_a_nested_mapping_is_refused_not_last_one_wins(name: str, text: str) -> None:
    with pytest.raises(InvalidSpec, match=rf"^{name}: .*the key 'draw' appears twice"):
        decode_spec(name, text)


@pytest.mark.parametrize("name", ["exam.txt", "exam.yaml.bak", "exam", "exam.JSONX"])
def test_a_file_that_is_neither_yaml_nor_json_is_refused(name: str) -> None:
    with pytest.raises(InvalidSpec, match=r"must be a \.yaml, \.yml or \.json file"):
        decode_spec(name, "title: x\n")


def test_yaml_that_would_build_python_objects_is_refused() -> None:
    with pytest.raises(InvalidSpec, match=r"^e\.yaml: not valid YAML"):
        decode_spec("e.yaml", "title: !!python/object/apply:os.system ['true']\n")


@pytest.mark.parametrize(("name", "kind"), [("e.yaml", "YAML"), ("e.json", "JSON")])
def test_broken_syntax_names_the_line(name: str, kind: str) -> None:
    text = "title: x\npools: [1, 2\n" if kind == "YAML" else '{"title": "x",\n "pools": [1, 2\n'
    with pytest.raises(InvalidSpec, match=rf"^{name}: not valid {kind} \(line \d+"):
        decode_spec(name, text)


@pytest.mark.parametrize(
    ("name", "text"), [("e.yaml", "[" * 50_000), ("e.json", "[" * 50_000 + "]" * 50_000)]
)
def test_nesting_deep_enough_to_exhaust_the_stack_is_a_refusal_not_a_crash(name: str, text: str) -> None:
    with pytest.raises(InvalidSpec, match=rf"^{name}: "):
        decode_spec(name, text)


@pytest.mark.parametrize("name", ["e.yaml", "e.json"])
def test_an_integer_past_the_digit_limit_is_a_refusal(name: str) -> None:
    with pytest.raises(InvalidSpec, match=rf"^{name}: not valid"):
        decode_spec(name, "[" + "9" * 5000 + "]")


@pytest.mark.parametrize(
    ("parse", "kind", "code"),
    [
        (lambda: parse_exam("exam.yaml", "title: x\ntitle: y\n", {}), InvalidExam, "invalid_exam"),
        (lambda: parse_programme("p.yaml", "title: x\ntitle: y\n"), InvalidProgramme, "invalid_programme"),
    ],
)
def test_each_reader_turns_a_toolkit_error_into_its_own_kind(parse, kind, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(kind) as caught:
        parse()
    assert isinstance(caught.value, InvalidSpec) and caught.value.code == code
    assert caught.value.problems == (caught.value.message,)
