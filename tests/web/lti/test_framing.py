"""Who may frame the pages (web/lti/framing.py): this site and the registered platforms' origins, nobody else."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from web.lti import framing
from web.lti.framing import FrameAncestors, origin


@dataclass(frozen=True)
class Registration:
    issuer: str
    auth_login_url: str


class Registrations:
    """The one store method the directive reads, counting its calls."""

    def __init__(self, *registrations: Registration) -> None:
        self.registrations = list(registrations)
        self.reads = 0

    def list_lti_registrations(self) -> list[Registration]:
        self.reads += 1
        return self.registrations


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("https://lms.example.edu", "https://lms.example.edu"),
        ("https://lms.example.edu:8443/mod/lti/auth.php?x=1", "https://lms.example.edu:8443"),
        ("http://localhost:8080/", "http://localhost:8080"),
        ("javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("ftp://lms.example.edu", None),
        ("lms.example.edu", None),
        ("https://", None),
        ("https://lms.example.edu; script-src *", None),  # would add a directive to the header
        ("https://a.example,b.example", None),
        ("https://evil.example'unsafe-inline'", None),
        ('https://evil.example"x', None),
    ],
)
def test_only_an_http_origin_that_cannot_break_the_header_is_taken(url: str, found: str | None) -> None:
    assert origin(url) == found


def test_with_no_platform_only_this_site_may_frame_the_pages() -> None:
    assert FrameAncestors().directive(Registrations()) == "frame-ancestors 'self'"  # type: ignore[arg-type]


def test_each_platforms_issuer_and_login_origin_are_named_once_and_a_hostile_one_is_left_out() -> None:
    store = Registrations(
        Registration("https://moodle.example.edu", "https://moodle.example.edu/mod/lti/auth.php"),
        Registration("https://canvas.example.com", "https://sso.canvas.example.com/api/lti/authorize"),
        Registration("https://evil.example; frame-ancestors *", "javascript:alert(1)"),
    )
    assert FrameAncestors().directive(store) == (  # type: ignore[arg-type]
        "frame-ancestors 'self' https://canvas.example.com https://moodle.example.edu"
        " https://sso.canvas.example.com"
    )


def test_the_list_is_read_again_only_after_its_ttl_or_when_told_to_forget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr(
        framing, "time", SimpleNamespace(monotonic=lambda: now[0])
    )  # this module's clock only
    store = Registrations()
    ancestors = FrameAncestors()
    ancestors.directive(store)  # type: ignore[arg-type]
    store.registrations.append(Registration("https://lms.example.edu", "https://lms.example.edu/auth"))
    now[0] += framing.TTL
    assert ancestors.directive(store) == "frame-ancestors 'self'" and store.reads == 1  # type: ignore[arg-type]
    now[0] += 1
    assert ancestors.directive(store).endswith("https://lms.example.edu") and store.reads == 2  # type: ignore[arg-type]
    store.registrations.clear()
    ancestors.forget()
    assert ancestors.directive(store) == "frame-ancestors 'self'" and store.reads == 3  # type: ignore[arg-type]
