"""The learner's records page: the record explained, share links made (shown once) and revoked, downloads.

What a share link opens is tested in ``test_shared.py``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from credentials.verify import verify_credential
from records.signing import decode_signed, public_keys_from, verify_document
from store import Store
from tests.web.api.test_records import graded  # noqa: F401  (the fixture)
from tests.web.pages_client import csrf_of, log_in, post_form

PASSWORD = "correct horse"


def test_a_learner_sees_their_record_and_manages_share_links(
    client: FlaskClient,
    store: Store,
    graded: Callable[[float], str],
) -> None:
    store.create_account("learner", "alice", PASSWORD, None)
    store.create_account("learner", "bob", PASSWORD, None)
    graded(2.0)
    log_in(client, "alice")
    page = client.get("/learn/records").get_data(as_text=True)
    assert "MicroMasters in Data Science for alice" in page and "ds101" in page
    made = post_form(client, "/learn/records", "/learn/records/mm-ds/shares", label="admissions")
    assert made.status_code == 200
    url = re.search(r'id="new-link-url" readonly value="([^"]+)"', made.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    path = url.split("localhost", 1)[1]
    assert client.get(path).status_code == 200  # the signed record, for whoever holds the link
    listing = client.get("/learn/records").get_data(as_text=True)
    assert "admissions" in listing and "1 time" in listing and url not in listing  # shown once only
    share_id = store.list_shares("mm-ds", "alice")[0]["id"]
    assert (
        post_form(client, "/learn/records", f"/learn/records/mm-ds/shares/{share_id}/revoke").status_code
        == 302
    )
    assert client.get(path).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_of(client, "/learn/")})
    log_in(client, "bob")
    assert "MicroMasters in Data Science for alice" not in client.get("/learn/records").get_data(as_text=True)
    reply = post_form(client, "/learn/records", f"/learn/records/mm-ds/shares/{share_id}/revoke")
    assert reply.status_code == 404


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"}


def verified(client: FlaskClient, data: bytes) -> dict[str, Any]:
    """The signed envelope, once its signature checks out against the service's published key."""
    envelope = decode_signed(data)
    verify_document(
        envelope, public_keys_from(json.dumps(client.get("/api/v1/records/public-key").json).encode())
    )
    return envelope


@pytest.fixture
def path(client: FlaskClient, store: Store, graded: Callable[[float], str]) -> str:
    """alice's record (1.5 of 2: 75, a C) and a new share link to it, as the path her records page showed."""
    store.create_account("learner", "alice", PASSWORD, None)
    graded(1.5)
    log_in(client, "alice")
    made = post_form(client, "/learn/records", "/learn/records/mm-ds/shares", label="admissions")
    url = re.search(r'id="new-link-url" readonly value="([^"]+)"', made.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    return url.split("localhost", 1)[1]


def test_a_learner_downloads_their_own_signed_record(client: FlaskClient, store: Store, path: str) -> None:
    store.create_account("learner", "bob", PASSWORD, None)
    assert 'href="/learn/records/mm-ds/export.json"' in client.get("/learn/records").get_data(as_text=True)
    signed = client.get("/learn/records/mm-ds/export.json")
    assert signed.status_code == 200 and signed.headers["Content-Disposition"].startswith("attachment")
    assert "alice" in json.dumps(verified(client, signed.data)["document"]["credentialSubject"])
    client.post("/logout", data={"csrf_token": csrf_of(client, "/learn/")})
    log_in(client, "bob")  # bob has no record in mm-ds
    assert client.get("/learn/records/mm-ds/export.json").status_code == 404


def test_a_learner_downloads_their_record_for_a_wallet(client: FlaskClient, path: str) -> None:
    page = client.get("/learn/records").get_data(as_text=True)
    assert 'href="/learn/records/mm-ds/export.json?format=clr-di"' in page
    wallet = client.get("/learn/records/mm-ds/export.json?format=clr-di")
    assert wallet.status_code == 200 and wallet.headers["Content-Disposition"].startswith("attachment")
    document = client.get("/.well-known/did.json").json
    lists = [client.get(f"/api/v1/records/status/{p}").data for p in ("revocation", "suspension")]
    verified = verify_credential(wallet.data, {document["id"]: document}, lists)
    assert (
        verified.credential["type"] == ["VerifiableCredential", "ClrCredential"] and verified.statuses == ()
    )
