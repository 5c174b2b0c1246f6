"""An assignment's terms: an edit replaces only the fields it names, and refuses what could not be kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from grader.errors import BadInput
from grader.late import LatePolicy, LateStep
from grader.terms import Terms, changed_terms, edit_terms

DUE = datetime(2030, 3, 1, 12, tzinfo=UTC)
CURRENT = Terms(LatePolicy(DUE, (LateStep(datetime(2030, 3, 2, 12, tzinfo=UTC), 50.0),)), None)


def test_an_edit_changes_only_the_fields_it_names() -> None:
    moved = edit_terms(CURRENT, {"runtime": "runsc"})
    assert (moved.policy, moved.runtime) == (CURRENT.policy, "runsc")


def test_a_later_due_date_with_its_steps_is_kept_in_utc() -> None:
    edited = edit_terms(
        CURRENT,
        {
            "due": "2030-03-02T13:00:00+01:00",
            "late_policy": [{"after": "2030-03-03T12:00:00Z", "credit": 25}],
        },
    )
    assert edited.policy.due == datetime(2030, 3, 2, 12, tzinfo=UTC)
    assert edited.policy.steps == (LateStep(datetime(2030, 3, 3, 12, tzinfo=UTC), 25.0),)


def test_the_due_date_can_be_removed_with_its_steps() -> None:
    assert edit_terms(CURRENT, {"due": None, "late_policy": []}).policy == LatePolicy()
    assert edit_terms(CURRENT, {"due": "", "late_policy": ""}).policy == LatePolicy()


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ({"due": "next tuesday"}, "due"),
        ({"due": 5}, "due"),
        ({"due": "2030-03-05T12:00:00Z"}, "late_policy"),  # the kept step now comes before the due date
        ({"due": None}, "late_policy"),  # steps need a due date
        ({"late_policy": [{"after": "2030-03-02T12:00:00Z", "credit": 150}]}, "late_policy[0].credit"),
        ({"late_policy": "[{"}, "late_policy"),
        ({"runtime": "kata"}, "runtime"),
        ({"runtime": 1}, "runtime"),
        ({"deadline": "2030-03-05T12:00:00Z"}, "deadline"),
    ],
)
def test_a_refused_edit_names_its_field(edit: dict[str, object], field: str) -> None:
    with pytest.raises(BadInput) as refused:
        edit_terms(CURRENT, edit)
    assert field in refused.value.message


def test_changed_terms_lists_old_and_new_of_each_changed_field_only() -> None:
    edited = edit_terms(
        CURRENT, {"runtime": "runsc", "late_policy": [{"after": "2030-03-02T12:00:00Z", "credit": 50}]}
    )
    assert changed_terms(CURRENT, edited) == {"runtime": {"old": None, "new": "runsc"}}
    removed = edit_terms(CURRENT, {"due": None, "late_policy": None})
    assert changed_terms(CURRENT, removed) == {
        "due": {"old": "2030-03-01T12:00:00+00:00", "new": None},
        "late_policy": {"old": [{"after": "2030-03-02T12:00:00+00:00", "credit": 50.0}], "new": []},
    }
