"""The service's DID document (web/did.py): public at both did:web addresses, naming the configured address,
never the Host header a caller wrote."""

from __future__ import annotations

import dataclasses

import pytest
from flask.testing import FlaskClient

from credentials.dids import did_document
from service.settings import Settings
from tests.web.fakes import FakeEnqueuer
from web import create_app
from web.handles import EXTENSION

PUBLIC = "https://grades.example.edu"


@pytest.fixture
def public(settings: Settings) -> FlaskClient:
    """The app behind its configured public address."""
    return create_app(dataclasses.replace(settings, public_url=PUBLIC), enqueuer=FakeEnqueuer()).test_client()


@pytest.mark.parametrize("path", ["/.well-known/did.json", "/did.json"])
def test_the_document_is_public_cached_briefly_and_the_same_at_both_addresses(
    public: FlaskClient, path: str
) -> None:
    reply = public.get(path)  # no token: verifiers hold none
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "max-age=300"
    assert reply.json == public.get("/.well-known/did.json").json


def test_the_document_publishes_the_keys_that_sign_records(public: FlaskClient) -> None:
    keys = public.application.extensions[EXTENSION].record_keys
    assert public.get("/did.json").json == did_document("did:web:grades.example.edu", keys.published)


@pytest.mark.parametrize(
    "host", ["evil.example", "grades.example.edu.evil.example", "evil.example:8443", "localhost"]
)
def test_a_host_header_cannot_make_the_service_claim_another_did(public: FlaskClient, host: str) -> None:
    reply = public.get("/.well-known/did.json", headers={"Host": host})
    assert reply.json["id"] == "did:web:grades.example.edu"
    assert all(m["controller"] == "did:web:grades.example.edu" for m in reply.json["verificationMethod"])


def test_writing_to_the_document_is_not_allowed(public: FlaskClient) -> None:
    for method in (public.post, public.put, public.delete):
        reply = method("/.well-known/did.json", json={"id": "did:web:evil.example"})
        assert reply.status_code == 405 and reply.json["error"] == "method_not_allowed"
    assert public.get("/did.json").json["id"] == "did:web:grades.example.edu"
