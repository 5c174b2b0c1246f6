"""A record's explanation is for people: it names the programme by its title and the person who
graded a cell by hand, through a regrade and for grades imported into a programme made later."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from store import Store
from tests.web.api.test_records import PROGRAMME, post_programme
from tests.web.test_hand_grades_survive_regrades import hand_graded, machine_report

RECORD = f"/api/v1/programmes/{PROGRAMME['id']}/records/alice"


def explanation(client: FlaskClient, headers: dict[str, str]) -> list[str]:
    reply = client.get(RECORD, headers=headers)
    assert reply.status_code == 200, reply.json
    lines: list[str] = reply.json["explanation"]
    return lines


def test_the_explanation_names_the_programme_and_who_graded_by_hand_through_a_regrade(
    client: FlaskClient, post_submission: Callable[..., Any], store: Store, instructor: dict[str, str]
) -> None:
    assert post_programme(client, PROGRAMME).status_code == 201
    sid = hand_graded(client, post_submission, store, instructor)
    lines = explanation(client, instructor)
    assert lines[0].startswith(f"{PROGRAMME['title']} for alice:") and not lines[0].startswith(
        PROGRAMME["id"]
    )
    assert any(
        "cell essay graded by prof" in line and "changed by prof: a clear argument" in line for line in lines
    )
    assert client.post(f"/api/v1/submissions/{sid}/regrade", headers=instructor).status_code == 202
    store.claim_submission(sid)  # the worker re-runs it; the essay's score is carried over
    assert store.save_grade(sid, machine_report(), "<p class='badge'>Score: 2 / 7</p>", {})
    counted = [line for line in explanation(client, instructor) if "assignment hw1: 7/7" in line]
    assert len(counted) == 1 and "cell essay graded by prof" in counted[0], counted


def test_grades_imported_into_a_later_programme_still_name_who_graded_by_hand(
    client: FlaskClient, post_submission: Callable[..., Any], store: Store, instructor: dict[str, str]
) -> None:
    hand_graded(client, post_submission, store, instructor)
    assert post_programme(client, PROGRAMME).status_code == 201
    assert any("cell essay graded by prof" in line for line in explanation(client, instructor))
