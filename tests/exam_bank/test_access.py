"""Access rules: the window, the attempt limit, the access code and the allowed networks."""

from __future__ import annotations

import dataclasses
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from exam_bank.access import check_access
from exam_bank.spec import Access, parse_exam
from grader.errors import Forbidden
from tests.exam_bank.bank import as_yaml, question_files, spec_data

SPEC = parse_exam("exam.yaml", as_yaml(spec_data()), question_files())  # code owl-42; 10/8 and 2001:db8::/32
OPEN = SPEC.window.opens
DURING = OPEN + timedelta(hours=1)
MICROSECOND = timedelta(microseconds=1)


def test_a_learner_who_meets_every_rule_may_start() -> None:
    check_access(SPEC, DURING, attempts_used=1, code="owl-42", client_ip="10.20.30.40")
    check_access(SPEC, DURING, attempts_used=0, code="owl-42", client_ip="2001:db8:1::7")


def test_an_exam_without_code_or_networks_lets_anyone_in_during_the_window() -> None:
    spec = dataclasses.replace(SPEC, access=Access())
    check_access(spec, DURING, attempts_used=0, code=None, client_ip=None)


def test_the_window_opens_at_its_first_microsecond_and_closes_at_its_end() -> None:
    check_access(SPEC, OPEN, 0, "owl-42", "10.0.0.1")
    with pytest.raises(
        Forbidden, match=r"^'Midterm' opens at 2026-03-02T09:00:00\+00:00; it is not open yet$"
    ):
        check_access(SPEC, OPEN - MICROSECOND, 0, "owl-42", "10.0.0.1")
    check_access(SPEC, SPEC.window.closes - MICROSECOND, 0, "owl-42", "10.0.0.1")
    with pytest.raises(Forbidden, match=r"^'Midterm' closed at 2026-03-02T21:00:00\+00:00$"):
        check_access(SPEC, SPEC.window.closes, 0, "owl-42", "10.0.0.1")


def test_attempts_run_out() -> None:
    with pytest.raises(Forbidden, match=r"^all 2 attempts at 'Midterm' have been used$"):
        check_access(SPEC, DURING, attempts_used=2, code="owl-42", client_ip="10.0.0.1")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (None, "this exam needs an access code"),
        ("  ", "this exam needs an access code"),
        ("owl-43", "the access code is not right"),
        ("OWL-42", "the access code is not right"),
    ],
)
def test_a_missing_or_wrong_code_is_refused_without_revealing_it(code: str | None, message: str) -> None:
    with pytest.raises(Forbidden, match=f"^{message}$") as caught:
        check_access(SPEC, DURING, 0, code, "10.0.0.1")
    assert "owl-42" not in caught.value.message


def test_a_pasted_code_with_surrounding_spaces_is_accepted() -> None:
    check_access(SPEC, DURING, 0, " owl-42\n", "10.0.0.1")


def test_the_code_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []

    def spy(given: bytes, expected: bytes) -> bool:
        compared.append((given, expected))
        return given == expected

    monkeypatch.setattr(hmac, "compare_digest", spy)
    check_access(SPEC, DURING, 0, "owl-42", "10.0.0.1")
    assert compared == [(b"owl-42", b"owl-42")]


@pytest.mark.parametrize(
    ("client_ip", "message"),
    [
        (
            "192.168.1.5",
            r"^this exam may not be taken from 192\.168\.1\.5: it is outside the allowed networks$",
        ),
        ("11.0.0.1", r"outside the allowed networks"),
        ("2001:db9::1", r"^this exam may not be taken from 2001:db9::1: it is outside"),
        ("::ffff:192.168.1.5", r"from 192\.168\.1\.5: it is outside"),
        ("10.0.0.256", r"^'10\.0\.0\.256' is not an IP address, so it is in no allowed network$"),
        ("localhost", r"is not an IP address"),
        (None, r"your address is unknown"),
        ("", r"your address is unknown"),
    ],
)
def test_an_address_outside_every_allowed_network_is_refused(client_ip: str | None, message: str) -> None:
    with pytest.raises(Forbidden, match=message):
        check_access(SPEC, DURING, 0, "owl-42", client_ip)


@pytest.mark.parametrize(
    "client_ip", ["10.0.0.0", "10.255.255.255", "2001:db8::", "2001:db8:ffff::1", "::ffff:10.1.2.3"]
)
def test_addresses_inside_an_allowed_network_are_let_in(client_ip: str) -> None:
    check_access(SPEC, DURING, 0, "owl-42", client_ip)


def test_the_window_is_checked_before_anything_else() -> None:
    with pytest.raises(Forbidden, match="not open yet"):
        check_access(SPEC, OPEN - MICROSECOND, attempts_used=5, code=None, client_ip="8.8.8.8")


def test_caller_bugs_are_not_access_refusals() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check_access(SPEC, datetime(2026, 3, 2, 10), 0, "owl-42", "10.0.0.1")
    with pytest.raises(ValueError, match="cannot be negative"):
        check_access(SPEC, DURING.astimezone(UTC), -1, "owl-42", "10.0.0.1")
