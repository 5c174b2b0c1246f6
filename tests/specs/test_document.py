"""The shared spec toolkit: its errors are InvalidSpec, and each reader names its own kind."""

from __future__ import annotations

import pytest

from exam_bank.spec import parse_exam
from grader.errors import InvalidExam, InvalidProgramme, InvalidSpec
from records.programme import parse_programme
from specs.document import decode_spec
from specs.fields import Where


def test_the_toolkit_speaks_invalid_spec_naming_file_and_field() -> None:
    with pytest.raises(
        InvalidSpec, match=r"^spec\.yaml: not valid YAML \(the key 'a' appears twice"
    ) as caught:
        decode_spec("spec.yaml", "a: 1\na: 2\n")
    assert type(caught.value) is InvalidSpec
    assert (
        str(Where("spec.yaml").key("pools").index(1).key("draw").error("bad"))
        == "spec.yaml: pools[1].draw: bad"
    )


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
