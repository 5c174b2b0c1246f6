"""Reviewing similar answers in a real browser: the instructor compares and decides; a learner is refused."""

from __future__ import annotations

import random
from typing import Any

import pytest

from grader.notebooks import dump_notebook
from service.integrity import check_submission
from service.settings import Settings
from store import Store
from tests.e2e.browser.helpers import PHONE, log_in, log_out, overflow, screenshot
from tests.integrity.corpus import NOTEBOOK, disguise, notebook
from tests.service.test_integrity import NOW, TRUSTED, add_assignment, solutions

pytestmark = [pytest.mark.browser, pytest.mark.redis]


@pytest.fixture
def pair_id(settings: Settings, accounts: Store) -> int:
    """bob's work and carol's disguised copy of it, checked as the worker's job checks them."""
    store = accounts
    record = add_assignment(store, course="intro-data-science")
    bob, dave = solutions(2, seed=11)
    rng = random.Random(5)
    for learner, solution in (
        ("bob", bob),
        ("carol", disguise(bob, rng, ("rename", "reorder", "comments"))),
        ("dave", dave),
    ):
        data = dump_notebook(notebook(TRUSTED.releases[NOTEBOOK], solution, rng))
        submission = store.add_submission(record.id, learner, NOTEBOOK, data, NOW, True, 1.0)
        check_submission(store, settings, submission.id, TRUSTED, NOW)
    return store.list_pairs()[0].id


def test_an_instructor_compares_a_pair_and_confirms_it(
    browser: Any, server: str, pair_id: int, accounts: Store
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        log_in(page, server, "prof")
        page.get_by_role("link", name="Similar answers").click()
        page.get_by_role("link", name="Compare bob and carol").click()
        page.wait_for_url(f"**/teach/integrity/{pair_id}")
        assert page.locator(".answer-pair").count() >= 4
        assert page.locator(".line.match").count() >= 8
        screenshot(page, "integrity-pair")
        page.get_by_label("Decision").select_option("confirmed")
        page.get_by_label("Reason").fill("the same unusual steps in the same order, renamed")
        page.get_by_role("button", name="Save the decision").click()
        page.wait_for_selector("#pair-state .status-confirmed")
        assert "by prof" in page.locator("#pair-state").inner_text()
        assert [e.state for e in accounts.integrity_history("carol")] == ["confirmed"]
        log_out(page)
        log_in(page, server, "alice")
        reply = page.goto(f"{server}/teach/integrity/{pair_id}")
        assert reply is not None and reply.status == 403
        assert "carol" not in page.content()
        assert page.get_by_role("link", name="Similar answers").count() == 0
    finally:
        context.close()


def test_the_pair_page_fits_a_phone_screen(browser: Any, server: str, pair_id: int) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        log_in(page, server, "prof")
        page.goto(f"{server}/teach/integrity/{pair_id}")
        assert overflow(page) == 0
        screenshot(page, "phone-integrity-pair")
    finally:
        context.close()
