"""LTI 1.3 login and launch as use cases (service/lti.py), on SQLite and PostgreSQL, against the joserfc
platform simulator over loopback HTTP and the real key fetcher: the login answers with a fresh state
and nonce for the one registration meant; a launch passing every check logs in an account per user and
role and remembers the platform course and its line item; one failing any check is refused, and then
no account, course or line item is made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from grader.errors import BadSignature, Forbidden, InvalidLaunch, NotFound
from service.lti import LaunchOutcome, LoginRedirect, begin_login, complete_launch
from service.lti_deep_linking import DeepLinkOffer
from service.lti_registrations import register_platform
from service.settings import Settings
from store import AssignmentRecord, Store
from store.models import LtiExamLineItemRow, LtiLineItemRow
from tests.lti.simulator import DROP, INSTRUCTOR, Platform, new_key, query_of
from web.lti.platform_keys import CachedPlatformKeys

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
LAUNCH_URL = "https://grades.example.edu/lti/launch"
CONTEXT = "course-ctx-1"  # the simulator's course
Launch = Callable[..., LaunchOutcome | DeepLinkOffer]


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    """One simulated LMS for the module: what it serves here (its keys) no test changes."""
    simulated = Platform().start()
    yield simulated
    simulated.stop()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=str(tmp_path))


@pytest.fixture
def registered(store: Store, platform: Platform) -> Store:
    register_platform(store, platform.registration())
    return store


def login(store: Store, settings: Settings, platform: Platform, **params: str) -> LoginRedirect:
    """The platform's login call at ``NOW``, with its parameters changed by ``params``."""
    return begin_login(store, settings, NOW, platform.login_params(**params), LAUNCH_URL)


@pytest.fixture
def launch(registered: Store, settings: Settings, platform: Platform, assignment: AssignmentRecord) -> Launch:
    """Log in, then complete the launch of ``assignment`` with claims changed by ``overrides`` (or made
    by ``claims`` from the login's nonce); ``form`` and ``browser_state`` replace what the browser
    posts, ``at`` is when it arrives, ``sign`` signs the token."""

    def run(
        form: dict[str, str] | None = None,
        browser_state: str | None = "",
        at: datetime = NOW,
        sign: Callable[[dict[str, Any]], str] = platform.sign,
        claims: Callable[[str], dict[str, Any]] | None = None,
        **overrides: Any,
    ) -> LaunchOutcome | DeepLinkOffer:
        redirect = login(registered, settings, platform)
        nonce = query_of(redirect.url)["nonce"]
        made = claims or (
            lambda n: platform.claims(n, NOW, **{"custom": {"assignment_id": assignment.id}, **overrides})
        )
        posted = {"id_token": sign(made(nonce)), "state": redirect.state, **(form or {})}
        cookie = redirect.state if browser_state == "" else browser_state
        return complete_launch(registered, settings, at, CachedPlatformKeys(ttl=300), posted, cookie)

    return run


def line_items(store: Store) -> list[tuple[str, str, str, str]]:
    """The line items launches named: (registration, platform course, assignment or exam, URL)."""
    with store.transaction() as session:
        assignments = [
            (row.registration_id, row.context_id, row.assignment_id, row.url)
            for row in session.scalars(select(LtiLineItemRow))
        ]
        exams = [
            (row.registration_id, row.context_id, row.exam_id, row.url)
            for row in session.scalars(select(LtiExamLineItemRow))
        ]
    return assignments + exams


def test_the_login_sends_the_browser_to_the_platform_with_a_fresh_state_and_nonce(
    registered: Store, settings: Settings, platform: Platform
) -> None:
    redirect = login(registered, settings, platform, lti_message_hint="placement-9")
    assert redirect.url.startswith(platform.auth_login_url + "?")
    asked = query_of(redirect.url)
    assert asked == {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": LAUNCH_URL,
        "login_hint": "hint-42",
        "state": redirect.state,
        "nonce": asked["nonce"],
        "lti_message_hint": "placement-9",
    }
    again = query_of(login(registered, settings, platform).url)
    assert again["state"] != asked["state"] and again["nonce"] != asked["nonce"]
    assert "lti_message_hint" not in again


def test_a_login_endpoint_with_its_own_query_keeps_it(
    store: Store, settings: Settings, platform: Platform
) -> None:
    register_platform(
        store, {**platform.registration(), "auth_login_url": platform.auth_login_url + "?tenant=7"}
    )
    url = login(store, settings, platform).url
    assert url.startswith(platform.auth_login_url + "?tenant=7&") and query_of(url)["tenant"] == "7"


def test_a_login_missing_a_parameter_or_for_no_registration_is_refused_and_begins_nothing(
    registered: Store, settings: Settings, platform: Platform, row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()
    for name in ("iss", "login_hint", "target_link_uri"):
        with pytest.raises(InvalidLaunch, match=f"needs '{name}'"):
            login(registered, settings, platform, **{name: ""})
    for wrong in ({"iss": "https://elsewhere.example"}, {"client_id": "someone-else"}):
        with pytest.raises(InvalidLaunch, match="no LTI platform is registered"):
            login(registered, settings, platform, **wrong)
    assert row_counts() == before


def test_an_issuer_registered_twice_must_name_its_client(
    registered: Store, settings: Settings, platform: Platform
) -> None:
    register_platform(registered, {**platform.registration("lms2"), "client_id": "tool-client-2"})
    params = {k: v for k, v in platform.login_params().items() if k != "client_id"}
    with pytest.raises(InvalidLaunch, match="several registrations"):
        begin_login(registered, settings, NOW, params, LAUNCH_URL)
    redirect = login(registered, settings, platform, client_id="tool-client-2")
    assert query_of(redirect.url)["client_id"] == "tool-client-2"


def test_a_learners_launch_logs_them_in_and_remembers_the_course_roster_and_line_item(
    launch: Launch, registered: Store, platform: Platform, assignment: AssignmentRecord
) -> None:
    outcome = launch(**platform.ags_claim(), **platform.nrps_claim())
    assert isinstance(outcome, LaunchOutcome)
    assert (outcome.kind, outcome.target, outcome.registration.id) == ("assignment", assignment.id, "lms")
    assert (outcome.account.name, outcome.account.role, outcome.account.courses) == (
        "lti:lms:user-7",
        "learner",
        ("ds101",),
    )
    context = registered.get_lti_context("lms", CONTEXT)
    assert (context.course, context.memberships_url) == ("ds101", platform.issuer + "/memberships")
    assert line_items(registered) == [("lms", CONTEXT, assignment.id, platform.line_item())]
    again = launch(
        browser_state=None
    )  # in an iframe without third-party cookies: the server-side state binds it
    assert isinstance(again, LaunchOutcome) and again.account.id == outcome.account.id


def test_an_exam_launch_remembers_the_exams_line_item(
    launch: Launch, registered: Store, platform: Platform
) -> None:
    exam = registered.add_exam("ds101", "final", "Final", "final.yaml", "title: Final\n", {})
    outcome = launch(custom={"exam_id": exam.id}, **platform.ags_claim(2))
    assert isinstance(outcome, LaunchOutcome) and (outcome.kind, outcome.target) == ("exam", exam.id)
    assert line_items(registered) == [("lms", CONTEXT, exam.id, platform.line_item(2))]


def test_staff_launching_get_an_account_apart_from_the_one_they_learn_with(launch: Launch) -> None:
    learner, teacher = launch(), launch(roles=[INSTRUCTOR])
    assert isinstance(learner, LaunchOutcome) and isinstance(teacher, LaunchOutcome)
    assert (teacher.account.name, teacher.account.role) == ("lti-instructor:lms:user-7", "instructor")
    assert teacher.account.id != learner.account.id and learner.account.role == "learner"


def test_a_deep_linking_request_is_answered_with_an_offer_and_logs_nobody_in(
    launch: Launch, platform: Platform, row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()["accounts"]
    offer = launch(claims=lambda nonce: platform.deep_linking_claims(nonce, NOW))
    assert isinstance(offer, DeepLinkOffer)
    assert (offer.registration_id, offer.context_id, offer.return_url) == (
        "lms",
        CONTEXT,
        platform.issuer + "/deep_link_return",
    )
    assert row_counts()["accounts"] == before


def refusals(platform: Platform) -> list[tuple[type[Exception], str, dict[str, Any]]]:
    """Each launch broken one way: what it is refused with, and how it is broken."""
    stranger = new_key()
    return [
        (InvalidLaunch, "must post 'id_token' and 'state'", {"form": {"id_token": ""}}),
        (InvalidLaunch, "must post 'id_token' and 'state'", {"form": {"state": ""}}),
        (InvalidLaunch, "not the one this browser", {"browser_state": "another-browsers-state"}),
        (InvalidLaunch, "matches no login", {"form": {"state": "never-issued"}, "browser_state": None}),
        (InvalidLaunch, "has expired", {"at": NOW + timedelta(seconds=601)}),
        (InvalidLaunch, "nonce", {"nonce": "another-login"}),
        (InvalidLaunch, "aud", {"aud": "another-tool"}),
        (InvalidLaunch, "deployment", {"deployment_id": "deployment-9"}),
        (InvalidLaunch, "names nothing to open", {"custom": {}}),
        (BadSignature, "no key with kid", {"sign": lambda claims: platform.sign(claims, stranger)}),
        (NotFound, "no-such-assignment", {"custom": {"assignment_id": "no-such-assignment"}}),
        (InvalidLaunch, "sub", {"sub": DROP}),
    ]


def test_a_launch_failing_any_check_is_refused_and_makes_no_account_course_or_line_item(
    launch: Launch,
    platform: Platform,
    assignment: AssignmentRecord,
    registered: Store,
    row_counts: Callable[[], dict[str, int]],
) -> None:
    made = ("accounts", "lti_contexts", "lti_line_items", "lti_exam_line_items")
    before = row_counts()
    for refused, message, broken in refusals(platform):
        with pytest.raises(refused, match=message):
            launch(**platform.ags_claim(), **broken)
    assert {t: row_counts()[t] for t in made} == {t: before[t] for t in made}
    assert line_items(registered) == []


def test_a_launch_is_used_once(
    launch: Launch, registered: Store, settings: Settings, platform: Platform, assignment: AssignmentRecord
) -> None:
    redirect = login(registered, settings, platform)
    claims = platform.claims(query_of(redirect.url)["nonce"], NOW, custom={"assignment_id": assignment.id})
    form = {"id_token": platform.sign(claims), "state": redirect.state}
    keys = CachedPlatformKeys(ttl=300)
    complete_launch(registered, settings, NOW, keys, form, redirect.state)
    with pytest.raises(InvalidLaunch, match="already used"):
        complete_launch(registered, settings, NOW, keys, form, redirect.state)


def test_a_launch_into_a_course_the_platform_may_not_open_is_forbidden(
    launch: Launch, registered: Store, make_assignment: Callable[..., AssignmentRecord]
) -> None:
    elsewhere = make_assignment(course="ds202", name="hw9")
    with pytest.raises(Forbidden, match="may not launch into course 'ds202'"):
        launch(custom={"assignment_id": elsewhere.id})
    with pytest.raises(NotFound):
        registered.get_lti_context("lms", CONTEXT)
