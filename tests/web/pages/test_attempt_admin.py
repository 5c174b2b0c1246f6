"""One exam attempt for staff (web/pages/attempt_admin.py): listed on its exam's page, extended, interrupted and resumed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from store import Store
from tests.web.conftest import START
from tests.web.pages.test_exam_admin import attempt, exam  # noqa: F401  (fixtures)
from tests.web.pages_client import log_in, post_form


def test_the_exam_page_lists_attempts_and_staff_extend_interrupt_and_resume(
    client: FlaskClient, exam: dict[str, Any], attempt: str, store: Store
) -> None:
    log_in(client, "prof")
    listing = client.get(f"/teach/exams/{exam['id']}").get_data(as_text=True)
    assert "alice" in listing and "started" in listing and f"/teach/attempts/{attempt}" in listing
    page = f"/teach/attempts/{attempt}"
    deadline = store.get_attempt(attempt).deadline_at
    for form, field in (
        ({"minutes": "-5", "reason": "fire alarm"}, "extend-minutes"),
        ({"minutes": "ten", "reason": "fire alarm"}, "extend-minutes"),
        ({"minutes": "10", "reason": "  "}, "extend-reason"),
    ):
        bad = post_form(client, page, f"{page}/extend", **form)
        assert bad.status_code == 422 and f'id="err-{field}"' in bad.get_data(as_text=True), form
    assert store.get_attempt(attempt).deadline_at == deadline
    assert post_form(client, page, f"{page}/extend", minutes="15", reason="fire alarm").status_code == 302
    assert store.get_attempt(attempt).deadline_at == START + timedelta(minutes=75)
    no_reason = post_form(client, page, f"{page}/interrupt", reason="")
    assert no_reason.status_code == 422 and 'id="err-interrupt-reason"' in no_reason.get_data(as_text=True)
    assert store.get_attempt(attempt).state == "started"
    assert post_form(client, page, f"{page}/interrupt", reason="lost power").status_code == 302
    assert store.get_attempt(attempt).state == "error"
    assert post_form(client, page, f"{page}/resume").status_code == 302
    history = client.get(page).get_data(as_text=True).split('id="events"')[1]
    assert all(word in history for word in ("extend", "fire alarm", "lost power", "resume", "prof"))
