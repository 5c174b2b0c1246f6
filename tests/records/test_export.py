"""A programme record as a CLR 2.0 / Open Badges 3.0 credential and as CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from records.export import CLR_CONTEXT, OB_CONTEXT, RECORD_TERM, VC_CONTEXT, record_of, to_clr, to_csv
from records.history import canonical_json
from records.model import CourseResult, Record

ISSUER = {"id": "https://grades.example.edu", "name": "Example University Autograder"}
ISSUED_AT = "2025-06-30T12:00:00Z"


def make_course(course: str = "ds101", **changes: Any) -> CourseResult:
    values: dict[str, Any] = {
        "course": course,
        "required": True,
        "credits": 5.0,
        "assignments": 0.9,
        "exam": 0.8,
        "exam_verified": True,
        "grade": 84.0,
        "letter": "B",
        "passed": True,
    }
    return CourseResult(**{**values, **changes})


def make_record(*courses: CourseResult, **changes: Any) -> dict[str, Any]:
    """A ``Record.to_dict()``: three courses (passed, failed, not yet graded) unless given."""
    courses = courses or (
        make_course("ds101"),
        make_course("ml201", grade=41.5, letter="F", passed=False),
        make_course(
            "thesis",
            required=False,
            credits=10.0,
            assignments=None,
            exam=None,
            exam_verified=False,
            grade=None,
            letter=None,
            passed=False,
        ),
    )
    values: dict[str, Any] = {
        "programme_id": "msc-data",
        "learner": "alice",
        "courses": courses,
        "credits_earned": 5.0,
        "complete": False,
        "credit_eligible": True,
        "frozen": False,
        "last_seq": 12,
        "history_hash": "ab" * 32,
    }
    return Record(**{**values, **changes}).to_dict()


def subjects(clr: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each embedded credential's subject, by its achievement's name."""
    credentials = clr["credentialSubject"]["verifiableCredential"]
    return {vc["credentialSubject"]["achievement"]["name"]: vc["credentialSubject"] for vc in credentials}


def test_clr_has_the_credential_fields_and_keeps_the_whole_record() -> None:
    record = make_record()
    clr = to_clr(record, ISSUER, ISSUED_AT)
    assert clr["@context"][:3] == [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["issuer"] == {"type": ["Profile"], **ISSUER} and clr["validFrom"] == ISSUED_AT
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["identifier"] == [
        {"type": "IdentityObject", "identityType": "systemId", "hashed": False, "identityHash": "alice"}
    ]
    assert [a["name"] for a in subject["achievement"]] == ["msc-data", "ds101", "ml201", "thesis"]
    assert len(subject["verifiableCredential"]) == 4
    for vc in subject["verifiableCredential"]:
        assert (
            vc["type"] == ["VerifiableCredential", "AchievementCredential"] and vc["validFrom"] == ISSUED_AT
        )
        achievement = vc["credentialSubject"]["achievement"]
        assert {"id", "type", "name", "description", "criteria"} <= set(achievement)
    assert {(a["sourceId"], a["targetId"].rsplit(":", 1)[1]) for a in subject["association"]} == {
        ("urn:autograde:achievement:msc-data", course) for course in ("ds101", "ml201", "thesis")
    }
    assert clr[RECORD_TERM] == record and record_of(clr) == record
    assert json.loads(canonical_json(clr)) == clr  # plain JSON, and the same document every time
    assert to_clr(record, ISSUER, ISSUED_AT) == clr


def test_each_course_is_an_achievement_with_its_result_and_credits() -> None:
    found = subjects(to_clr(make_record(), ISSUER, ISSUED_AT))
    passed, failed, pending = found["ds101"], found["ml201"], found["thesis"]
    assert passed["achievement"]["achievementType"] == "Course"
    assert passed["achievement"]["creditsAvailable"] == 5.0 and passed["creditsEarned"] == 5.0
    grade, letter = passed["result"]
    assert grade["type"] == ["Result"] and grade["value"] == "84" and grade["status"] == "Completed"
    assert letter["value"] == "B" and letter["resultDescription"].endswith("#letter")
    described = {d["id"] for d in passed["achievement"]["resultDescription"]}
    assert {r["resultDescription"] for r in passed["result"]} <= described
    assert failed["result"][0]["status"] == "Failed" and failed["result"][0]["value"] == "41.5"
    assert failed["creditsEarned"] == 0.0
    assert pending["result"] == [
        {
            "type": ["Result"],
            "resultDescription": "urn:autograde:achievement:msc-data:thesis#grade",
            "status": "InProgress",
        }
    ]
    assert (
        pending["achievement"]["tag"] == ["elective"] and pending["achievement"]["creditsAvailable"] == 10.0
    )


def test_the_programme_is_an_achievement_with_credits_earned_and_completion() -> None:
    programme = subjects(to_clr(make_record(), ISSUER, ISSUED_AT))["msc-data"]
    assert programme["achievement"]["achievementType"] == "LearningProgram"
    assert programme["creditsEarned"] == 5.0 and programme["result"][0]["status"] == "InProgress"
    complete = subjects(to_clr(make_record(complete=True, credits_earned=20.0), ISSUER, ISSUED_AT))[
        "msc-data"
    ]
    assert complete["creditsEarned"] == 20.0 and complete["result"][0]["status"] == "Completed"
    frozen = subjects(to_clr(make_record(complete=True, frozen=True), ISSUER, ISSUED_AT))["msc-data"]
    assert frozen["result"][0]["status"] == "OnHold"


def test_ids_keep_names_with_colons_apart() -> None:
    one = to_clr(make_record(make_course("a:b"), learner="x"), ISSUER, ISSUED_AT)
    two = to_clr(make_record(make_course("a"), learner="b:x"), ISSUER, ISSUED_AT)
    assert not credential_ids(one) & credential_ids(two)
    assert one["credentialSubject"]["achievement"][1]["id"] == "urn:autograde:achievement:msc-data:a%3Ab"


def credential_ids(clr: dict[str, Any]) -> set[str]:
    return {vc["id"] for vc in clr["credentialSubject"]["verifiableCredential"]}


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_has_one_row_per_course_and_reads_back() -> None:
    rows = read_csv(to_csv(make_record()))
    assert rows[0] == [
        "programme",
        "learner",
        "course",
        "required",
        "credits",
        "assignments",
        "exam",
        "exam_verified",
        "grade",
        "letter",
        "passed",
    ]
    assert rows[1] == ["msc-data", "alice", "ds101", "true", "5", "0.9", "0.8", "true", "84", "B", "true"]
    assert rows[2][2:] == ["ml201", "true", "5", "0.9", "0.8", "true", "41.5", "F", "false"]
    assert rows[3][2:] == ["thesis", "false", "10", "", "", "false", "", "", "false"]
    assert len(rows) == 4


def test_csv_quotes_text_a_spreadsheet_would_run() -> None:
    record = make_record(
        make_course('=HYPERLINK("http://x")'),
        make_course("+1"),
        make_course("\tx"),
        learner="@SUM(A1)",
        programme_id="-2",
    )
    rows = read_csv(to_csv(record))
    assert [row[:3] for row in rows[1:]] == [
        ["'-2", "'@SUM(A1)", '\'=HYPERLINK("http://x")'],
        ["'-2", "'@SUM(A1)", "'+1"],
        ["'-2", "'@SUM(A1)", "'\tx"],
    ]


@given(st.text(min_size=1), st.text(min_size=1))
def test_any_names_survive_the_csv_round_trip(learner: str, course: str) -> None:
    rows = read_csv(to_csv(make_record(make_course(course), learner=learner)))
    assert rows[1][1:3] == [guarded(learner), guarded(course)]


def guarded(text: str) -> str:
    return f"'{text}" if text[0] in "=+-@\t\r" else text
