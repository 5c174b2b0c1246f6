"""A programme record as a 1EdTech CLR 2.0 credential (Open Badges 3.0 vocabulary) and as CSV.

The CLR maps each course to an ``AchievementCredential`` (an ``Achievement`` of type
``Course`` with its ``creditsAvailable``, a ``Result`` for the grade and one for the
letter, the ``creditsEarned``) and the programme to one more (type ``LearningProgram``,
a ``Status`` result: Completed, InProgress, or OnHold while frozen, and its
``creditsEarned``); ``association`` links the programme to its courses. What the
vocabulary has no place for (exam verification, credit eligibility, the history hash)
travels whole in ``autogradeRecord``, a JSON literal term declared in the context, so
nothing is lost. The embedded credentials carry no proofs of their own: the envelope's
signature (``records/signing.py``) covers the whole document.

Ids are URNs built from the record (``urn:autograde:...``), never random, so the same
record exported twice is the same document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.errors import BadInput
from integrations.exports import Value, format_number, write_csv

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
RECORD_TERM = "autogradeRecord"
EXTENSION_CONTEXT = {RECORD_TERM: {"@id": "urn:autograde:vocab#record", "@type": "@json"}}
CSV_COLUMNS = (
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
)
URN_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")


def to_clr(record: Mapping[str, Any], issuer: Mapping[str, Any], issued_at: str) -> dict[str, Any]:
    """The record (``Record.to_dict()``) as a ``ClrCredential`` issued by ``issuer`` at ``issued_at``."""
    programme, learner = record["programme_id"], record["learner"]
    profile = {"type": ["Profile"], **issuer}
    courses = [course_achievement(programme, course) for course in record["courses"]]
    credentials = [
        achievement_credential(
            profile, issued_at, learner, achievement, course_outcome(course, achievement["id"])
        )
        for course, achievement in zip(record["courses"], courses, strict=True)
    ]
    top = programme_achievement(programme)
    credentials.append(
        achievement_credential(profile, issued_at, learner, top, programme_outcome(record, top["id"]))
    )
    return {
        "@context": [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT, EXTENSION_CONTEXT],
        "id": urn("record", programme, learner, str(record["last_seq"])),
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": profile,
        "name": f"Programme record: {programme}",
        "validFrom": issued_at,
        "awardedDate": issued_at,
        "credentialSubject": {
            "type": ["ClrSubject"],
            "identifier": [identity(learner)],
            "achievement": [top, *courses],
            "verifiableCredential": credentials,
            "association": [
                {
                    "type": "Association",
                    "associationType": "isParentOf",
                    "sourceId": top["id"],
                    "targetId": a["id"],
                }
                for a in courses
            ],
        },
        RECORD_TERM: dict(record),
    }


def course_achievement(programme: str, course: Mapping[str, Any]) -> dict[str, Any]:
    achievement_id = urn("achievement", programme, course["course"])
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": course["course"],
        "description": f"Course {course['course']} of programme {programme}.",
        "criteria": {"narrative": "Pass the course under the programme's grading policy."},
        "creditsAvailable": course["credits"],
        "tag": ["required" if course["required"] else "elective"],
        "resultDescription": [
            {
                "id": f"{achievement_id}#grade",
                "type": ["ResultDescription"],
                "name": "Grade",
                "resultType": "Percent",
                "valueMin": "0",
                "valueMax": "100",
            },
            {
                "id": f"{achievement_id}#letter",
                "type": ["ResultDescription"],
                "name": "Letter grade",
                "resultType": "LetterGrade",
            },
        ],
    }


def course_outcome(course: Mapping[str, Any], achievement_id: str) -> tuple[list[dict[str, Any]], float]:
    """Results and credits earned: passed is Completed, no grade yet is InProgress, else Failed."""
    grade, letter = course["grade"], course["letter"]
    status = "Completed" if course["passed"] else "InProgress" if grade is None else "Failed"
    result: dict[str, Any] = {
        "type": ["Result"],
        "resultDescription": f"{achievement_id}#grade",
        "status": status,
    }
    if grade is not None:
        result["value"] = format_number(grade)
    results = [result]
    if letter is not None:
        results.append({"type": ["Result"], "resultDescription": f"{achievement_id}#letter", "value": letter})
    return results, course["credits"] if course["passed"] else 0.0


def programme_achievement(programme: str) -> dict[str, Any]:
    achievement_id = urn("achievement", programme)
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "LearningProgram",
        "name": programme,
        "description": f"Programme {programme}.",
        "criteria": {"narrative": "Complete the programme's required courses and credits under its policy."},
        "resultDescription": [
            {
                "id": f"{achievement_id}#completion",
                "type": ["ResultDescription"],
                "name": "Completion",
                "resultType": "Status",
            },
        ],
    }


def programme_outcome(record: Mapping[str, Any], achievement_id: str) -> tuple[list[dict[str, Any]], float]:
    """A frozen record is OnHold whatever it holds: a freeze means someone is reviewing it."""
    status = "OnHold" if record["frozen"] else "Completed" if record["complete"] else "InProgress"
    result = {"type": ["Result"], "resultDescription": f"{achievement_id}#completion", "status": status}
    return [result], record["credits_earned"]


def achievement_credential(
    profile: Mapping[str, Any],
    issued_at: str,
    learner: str,
    achievement: Mapping[str, Any],
    outcome: tuple[list[dict[str, Any]], float],
) -> dict[str, Any]:
    results, credits = outcome
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"{achievement['id']}:learner:{escape(learner)}",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": dict(profile),
        "name": achievement["name"],
        "validFrom": issued_at,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [identity(learner)],
            "achievement": dict(achievement),
            "result": results,
            "creditsEarned": credits,
        },
    }


def identity(learner: str) -> dict[str, Any]:
    return {"type": "IdentityObject", "identityType": "systemId", "hashed": False, "identityHash": learner}


def record_of(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The original record a CLR carries, for whoever checks it (``autograde records verify``)."""
    record = document.get(RECORD_TERM)
    if (
        not isinstance(record, dict)
        or not isinstance(record.get("learner"), str)
        or not isinstance(record.get("programme_id"), str)
    ):
        raise BadInput(f"the document carries no programme record ({RECORD_TERM})")
    return record


def to_csv(record: Mapping[str, Any]) -> str:
    """One row per course under a header; text a spreadsheet would run as a formula is quoted."""
    rows: list[list[Value]] = [list(CSV_COLUMNS)]
    for course in record["courses"]:
        rows.append([record["programme_id"], record["learner"], *(course[name] for name in CSV_COLUMNS[2:])])
    return write_csv(rows)


def urn(*parts: str) -> str:
    return ":".join(["urn:autograde", *(escape(part) for part in parts)])


def escape(text: str) -> str:
    """Percent-encoding of all but RFC 3986's unreserved characters, so ``:`` inside a part stays apart."""
    return "".join(char if char in URN_SAFE else "".join(f"%{b:02X}" for b in char.encode()) for char in text)
