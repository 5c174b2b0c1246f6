"""did:web names and documents: a port or a path is spelt as the method says, every key is listed."""

from __future__ import annotations

import pytest

from credentials.dids import did_document, did_web_of, key_fragment, method_id, resolve_key
from grader.errors import BadInput, RecordVerificationFailed

OLD, NEW = bytes(range(32)), bytes(range(1, 33))


@pytest.mark.parametrize(
    ("url", "did"),
    [
        ("https://grades.example.edu", "did:web:grades.example.edu"),
        ("https://Grades.Example.edu/", "did:web:grades.example.edu"),
        ("https://localhost:8443", "did:web:localhost%3A8443"),
        ("https://example.edu/grades/autograde/", "did:web:example.edu:grades:autograde"),
    ],
)
def test_a_service_url_names_its_did_web(url: str, did: str) -> None:
    assert did_web_of(url) == did


@pytest.mark.parametrize("url", ["ftp://example.edu", "example.edu", "https://exa mple.edu"])
def test_what_is_not_an_http_url_of_a_host_is_refused(url: str) -> None:
    with pytest.raises(BadInput):
        did_web_of(url)


def test_the_document_lists_the_signing_key_first_and_every_retired_one_for_assertions() -> None:
    did = "did:web:grades.example.edu"
    document = did_document(did, [NEW, OLD, NEW])
    assert document["assertionMethod"] == [f"{did}#{key_fragment(NEW)}", f"{did}#{key_fragment(OLD)}"]
    assert resolve_key(method_id(did, OLD), {did: document}) == OLD


def test_a_key_listed_but_not_for_assertions_does_not_sign_credentials() -> None:
    did = "did:web:grades.example.edu"
    document = did_document(did, [NEW])
    document["assertionMethod"] = []
    with pytest.raises(RecordVerificationFailed, match="not an assertion method"):
        resolve_key(method_id(did, NEW), {did: document})


def test_a_did_key_method_must_name_its_own_key() -> None:
    method = method_id("did:key:x", NEW)
    other = method_id("did:key:x", OLD)
    assert resolve_key(method, {}) == NEW
    with pytest.raises(RecordVerificationFailed):
        resolve_key(method.split("#")[0] + "#" + other.split("#")[1], {})
