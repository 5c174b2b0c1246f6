"""The records' shapes: JSON-ready, read back equal, and a stored record or event read back never shares state with its source."""

from __future__ import annotations

import json

import pytest

from records.model import CourseResult, Event, Record, event_from_dict, event_to_dict

SOURCE = {"role": "assignment", "seq": 1, "version": 1}
COURSE = CourseResult("ml", True, 4.0, 0.8, 0.7, True, 74.0, "C", True, sources=(SOURCE,), rule="r")
RECORD = Record("msc", "ada", (COURSE,), 4.0, False, False, False, 3, "h3", "MSc")
EVENT = Event(
    3, "grade", "ada", {"course": "ml", "score": 8}, "2026-05-01T12:00:00+00:00", "grader", "h2", "h3"
)


def test_a_record_is_plain_json_and_reads_back_equal() -> None:
    data = json.loads(json.dumps(RECORD.to_dict()))
    assert Record.from_dict(data) == RECORD
    assert data["courses"][0]["sources"] == [SOURCE]


def test_a_record_made_before_titles_were_kept_still_reads() -> None:
    data = RECORD.to_dict()
    del data["programme_title"]
    assert Record.from_dict(data).programme_title == ""


def test_a_field_the_record_does_not_have_is_refused() -> None:
    with pytest.raises(TypeError):
        Record.from_dict({**RECORD.to_dict(), "credits_bonus": 10})
    with pytest.raises(TypeError):
        CourseResult.from_dict({**COURSE.to_dict(), "passed_anyway": True})


def test_the_dict_of_a_record_is_a_copy_changing_it_changes_no_record() -> None:
    data = RECORD.to_dict()
    data["courses"][0]["sources"][0]["seq"] = 99
    assert RECORD.courses[0].sources[0]["seq"] == 1


def test_an_event_survives_its_json_shape_and_its_fields_are_coerced() -> None:
    assert event_from_dict(json.loads(json.dumps(event_to_dict(EVENT)))) == EVENT
    loose = {**event_to_dict(EVENT), "seq": "3"}
    del loose["prev_hash"], loose["hash"]
    read = event_from_dict(loose)
    assert (read.seq, read.prev_hash, read.hash) == (3, "", "")


def test_an_event_missing_a_hashed_field_is_refused() -> None:
    for name in ("seq", "kind", "learner", "body", "at", "actor"):
        data = event_to_dict(EVENT)
        del data[name]
        with pytest.raises(KeyError):
            event_from_dict(data)
