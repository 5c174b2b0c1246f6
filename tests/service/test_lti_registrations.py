"""Registering an LTI platform: every field checked before anything is stored, each refusal naming its field."""

from __future__ import annotations

from typing import Any

import pytest

from grader.errors import BadInput
from service.lti_registrations import (
    add_deployment,
    change_registration,
    register_platform,
    registration_fields,
)
from store import LtiRegistrationRecord

FIELDS: dict[str, Any] = {
    "id": "canvas-prod",
    "issuer": "https://canvas.example.edu",
    "client_id": "10000000000001",
    "auth_login_url": "https://canvas.example.edu/api/lti/authorize_redirect",
    "token_url": "https://canvas.example.edu/login/oauth2/token",
    "jwks_url": "https://canvas.example.edu/api/lti/security/jwks",
    "deployment_ids": ["1:abc"],
    "courses": ["ds101"],
}


class FakeStore:
    def __init__(self) -> None:
        self.created: list[LtiRegistrationRecord] = []
        self.deployments: list[tuple[str, str]] = []
        self.audiences: list[tuple[str, str | None]] = []

    def create_lti_registration(self, record: LtiRegistrationRecord) -> LtiRegistrationRecord:
        self.created.append(record)
        return record

    def add_lti_deployment(self, registration_id: str, deployment_id: str) -> str:
        self.deployments.append((registration_id, deployment_id))
        return deployment_id

    def set_lti_token_audience(self, registration_id: str, audience: str | None) -> str | None:
        self.audiences.append((registration_id, audience))
        return audience


def register(**changes: Any) -> tuple[FakeStore, LtiRegistrationRecord]:
    store = FakeStore()
    fields = {**FIELDS, **changes}
    return store, register_platform(store, {k: v for k, v in fields.items() if v is not ...})  # type: ignore[arg-type]


def test_a_good_registration_is_stored_trimmed_and_named_after_its_id_by_default() -> None:
    store, record = register(client_id="  10000000000001 ")
    assert store.created == [record] and record.client_id == "10000000000001" and record.name == "canvas-prod"
    assert registration_fields(record)["deployment_ids"] == ["1:abc"]


@pytest.mark.parametrize(
    "bad_id",
    ["", "Canvas", "-canvas", "canvas prod", "canvas:prod", "a" * 61, 7, None, "ca\u0301nvas"],
)
def test_an_id_that_could_not_name_its_outbox_line_is_refused(bad_id: Any) -> None:
    with pytest.raises(BadInput, match="'id'"):
        register(id=bad_id)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("issuer", "canvas.example.edu"),  # not absolute
        ("jwks_url", "file:///etc/passwd"),
        ("token_url", "gopher://canvas.example.edu/token"),
        ("auth_login_url", "https://user:secret@canvas.example.edu/auth"),  # credentials in the URL
        ("token_url", "https://canvas.example.edu:99999/token"),  # a malformed port
        ("jwks_url", "https:///no-host"),
        ("issuer", "https://canvas.example.edu/" + "x" * 2000),
    ],
)
def test_a_url_the_tool_would_fetch_from_must_be_plain_absolute_http(field: str, value: str) -> None:
    with pytest.raises(BadInput, match=f"'{field}'"):
        register(**{field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("client_id", "x" * 256),
        ("client_id", "   "),
        ("client_id", ["a list"]),
        ("name", "tab\there"),
        ("name", "bell\x07"),
        ("courses", []),
        ("courses", "ds101"),
        ("deployment_ids", ["ok", 3]),
        ("deployment_ids", ...),  # missing
    ],
)
def test_texts_and_lists_are_bounded_printable_strings(field: str, value: Any) -> None:
    with pytest.raises(BadInput, match=f"'{field}'"):
        register(**{field: value})


def test_nothing_is_stored_when_any_field_is_wrong() -> None:
    store = FakeStore()
    with pytest.raises(BadInput):
        register_platform(store, {**FIELDS, "jwks_url": "ftp://x"})  # type: ignore[arg-type]
    assert store.created == []


def test_a_deployment_id_is_checked_like_any_text() -> None:
    store = FakeStore()
    with pytest.raises(BadInput, match="'deployment_id'"):
        add_deployment(store, "canvas-prod", {"deployment_id": "\n"})  # type: ignore[arg-type]
    add_deployment(store, "canvas-prod", {"deployment_id": " 2 "})  # type: ignore[arg-type]
    assert store.deployments == [("canvas-prod", "2")]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        # RFC 7523 compares the audience as a plain string: a trailing slash or a non-URL stays as typed
        ("https://api.brightspace.com/auth/token/", "https://api.brightspace.com/auth/token/"),
        (" urn:example:lms ", "urn:example:lms"),
        ("", None),
        (None, None),
    ],
)
def test_a_token_audience_is_kept_as_typed_or_cleared(given: Any, kept: str | None) -> None:
    assert register(token_audience=given)[1].token_audience == kept
    store = FakeStore()
    change_registration(store, "d2l", {"token_audience": given})  # type: ignore[arg-type]
    assert store.audiences == [("d2l", kept)]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({}, "'token_audience' is required"),
        ({"token_audience": "a\tb"}, "'token_audience' must be printable"),
        ({"token_audience": ["a"]}, "'token_audience' must be a string"),
        ({"token_audience": "a", "client_id": "other"}, "'client_id' cannot be changed"),
    ],
)
def test_only_a_good_token_audience_may_change_and_nothing_is_stored_otherwise(
    fields: dict[str, Any], named: str
) -> None:
    store = FakeStore()
    with pytest.raises(BadInput, match=named):
        change_registration(store, "d2l", fields)  # type: ignore[arg-type]
    assert store.audiences == []
