"""Where results may be sent (web/callback_urls.py): http(s) URLs only, on the platform's registered origin."""

from __future__ import annotations

import pytest

from grader.errors import BadInput
from web.callback_urls import MAX_URL_LENGTH, callback_for, check_url

REGISTERED = "https://lms.example:8443/results"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://lms.example/results", "http://"),
        ("javascript:alert(1)", "http://"),
        ("file:///etc/passwd", "http://"),
        ("/results", "http://"),
        ("https://", "http://"),
        ("https://user:pass@lms.example/results", "password"),
        ("https://lms.example:99999/results", "invalid port"),
        ("https://lms.example:port/results", "invalid port"),
        ("http://[::1/results", "not a valid URL"),
        ("https://lms.example/" + "x" * MAX_URL_LENGTH, "at most"),
    ],
)
def test_a_url_the_service_should_not_call_is_refused_saying_why(url: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        check_url(url)


def test_a_refusal_names_the_field_it_was_given_for() -> None:
    with pytest.raises(BadInput, match="'target_link_uri'"):
        check_url("ftp://x", "target_link_uri")


def test_an_http_or_https_url_is_kept_without_its_surrounding_spaces() -> None:
    assert (
        check_url("  https://lms.example/results?course=ds101 ") == "https://lms.example/results?course=ds101"
    )
    assert check_url("http://10.0.0.5:8080/r") == "http://10.0.0.5:8080/r"


def test_no_callback_asked_for_is_none_whatever_the_registration() -> None:
    assert callback_for(None, REGISTERED) is None
    assert callback_for(None, None) is None


@pytest.mark.parametrize(
    "requested",
    [
        "https://evil.example:8443/results",  # another host
        "http://lms.example:8443/results",  # another scheme
        "https://lms.example/results",  # another port (443)
        "https://lms.example.evil.example:8443/results",  # a host that only starts like it
        "https://evil.example:8443@lms.example:8443/results",  # credentials that look like a host
    ],
)
def test_a_callback_off_the_registered_origin_is_refused(requested: str) -> None:
    with pytest.raises(BadInput):
        callback_for(requested, REGISTERED)


def test_a_callback_is_refused_when_the_platform_registered_none() -> None:
    with pytest.raises(BadInput, match="no registered callback URL"):
        callback_for("https://lms.example:8443/results", None)


def test_a_callback_on_the_registered_origin_may_take_any_path_and_host_case() -> None:
    assert (
        callback_for("https://LMS.example:8443/other?x=1", REGISTERED) == "https://LMS.example:8443/other?x=1"
    )
    assert (
        callback_for("https://lms.example:443/r", "https://lms.example/results")
        == "https://lms.example:443/r"
    )
