"""Extensions in bulk from a CSV: every row read into a grant, or the whole file refused."""

from __future__ import annotations

import pytest

from grader.errors import InvalidSpec
from grader.extension_csv import MAX_ROWS, read_extensions
from grader.ledger_change import Grant

ASSIGNMENTS = {"Week 1": "a1", "a1": "a1"}
HEADER = "learner,assignment,extra_hours,due,reason\n"


def test_rows_become_grants_with_names_resolved_to_ids() -> None:
    text = HEADER + "alice,Week 1,48,,illness\n bob , a1 ,,2026-03-01T10:00:00Z, travel \n"
    assert read_extensions(text, ASSIGNMENTS) == [
        Grant("alice", "extension", "a1", {"extra_hours": 48.0}, "illness"),
        Grant("bob", "extension", "a1", {"due": "2026-03-01T10:00:00Z"}, "travel"),
    ]


def test_an_unknown_assignment_and_a_non_number_pass_through_for_the_check_to_name() -> None:
    (grant,) = read_extensions(HEADER + "alice,Week 9,two days,,x\n", ASSIGNMENTS)
    assert grant.assignment_id == "Week 9" and grant.terms == {"extra_hours": "two days"}


def test_a_short_row_reads_missing_cells_as_empty() -> None:
    (grant,) = read_extensions(HEADER + "alice,Week 1\n", ASSIGNMENTS)
    assert grant.terms == {} and grant.reason == ""


@pytest.mark.parametrize("header", ["", "learner,extra_hours\n", "name,assignment,reason\n"])
def test_a_header_without_the_needed_columns_is_refused_naming_them(header: str) -> None:
    with pytest.raises(InvalidSpec, match="the header needs the columns"):
        read_extensions(header + "alice,Week 1,1,,x\n", ASSIGNMENTS)


def test_a_file_past_the_row_cap_is_refused() -> None:
    row = "alice,Week 1,1,,x\n"
    assert len(read_extensions(HEADER + row * MAX_ROWS, ASSIGNMENTS)) == MAX_ROWS
    with pytest.raises(InvalidSpec, match=f"at most {MAX_ROWS} rows"):
        read_extensions(HEADER + row * (MAX_ROWS + 1), ASSIGNMENTS)
