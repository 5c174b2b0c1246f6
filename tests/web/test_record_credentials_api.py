"""Records as standard credentials through the API: the export's format choice, the did:web
document, and status lists that mark a record overturned after it was issued."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from credentials import status_list
from credentials.verify import DATA_INTEGRITY, JWT, verify_credential
from service.status_lists import MAX_AGE
from store import Store
from tests.web.api.test_records import graded  # noqa: F401  (a fixture)
from tests.web.fakes import FakeClock

RECORD = "/api/v1/programmes/mm-ds/records/alice"
EXPORT = f"{RECORD}/export.json"
DID = "did:web:localhost"


def resolve(client: FlaskClient) -> dict[str, Any]:
    """What a verifier fetches once: the DID document and both status lists."""
    document = client.get("/.well-known/did.json").json
    lists = [client.get(f"/api/v1/records/status/{p}").data for p in ("revocation", "suspension")]
    return {"did_documents": {document["id"]: document}, "status_lists": lists}


def test_the_clr_export_verifies_by_the_services_did_with_its_status_lists(
    client: FlaskClient, graded: Callable[[float], str], alice: dict[str, str]
) -> None:
    graded(2.0)
    exported = client.get(f"{EXPORT}?format=clr-di", headers=alice)
    assert exported.status_code == 200 and exported.headers["Cache-Control"] == "no-store"
    verified = verify_credential(exported.data, **resolve(client))
    assert verified.proof_format == DATA_INTEGRITY and verified.statuses == ()
    assert verified.credential["issuer"]["id"] == DID and verified.embedded == 2
    assert client.get("/did.json").json == client.get("/.well-known/did.json").json


def test_the_clr_as_a_vc_jwt_verifies(
    client: FlaskClient, graded: Callable[[float], str], alice: dict[str, str]
) -> None:
    graded(2.0)
    exported = client.get(f"{EXPORT}?format=clr-jwt", headers=alice)
    assert exported.mimetype == "application/jwt"
    assert verify_credential(exported.data, **resolve(client)).proof_format == JWT


def exported_then(client: FlaskClient, alice: dict[str, str], change: Callable[[], Any]) -> bytes:
    """A CLR exported before ``change`` (an instructor's override or freeze, which must succeed)."""
    exported = client.get(f"{EXPORT}?format=clr-di", headers=alice).data
    assert change().status_code == 201
    return exported


def test_an_override_after_issue_revokes_the_exported_record(
    client: FlaskClient, graded: Callable[[float], str], alice: dict[str, str], instructor: dict[str, str]
) -> None:
    graded(2.0)
    body = {"course": "ds101", "value": 55, "reason": "plagiarism finding"}
    exported = exported_then(
        client, alice, lambda: client.post(f"{RECORD}/overrides", headers=instructor, json=body)
    )
    assert verify_credential(exported, **resolve(client)).statuses == ("revocation",)
    again = client.get(f"{EXPORT}?format=clr-di", headers=alice).data
    assert verify_credential(again, **resolve(client)).statuses == ()  # the new record is not revoked


def test_a_freeze_suspends_the_exported_record(
    client: FlaskClient, graded: Callable[[float], str], alice: dict[str, str], instructor: dict[str, str]
) -> None:
    graded(2.0)
    body = {"reason": "under review"}
    exported = exported_then(
        client, alice, lambda: client.post(f"{RECORD}/freeze", headers=instructor, json=body)
    )
    assert verify_credential(exported, **resolve(client)).statuses == ("suspension",)


def test_an_unknown_format_is_a_400_naming_the_choices(
    client: FlaskClient, graded: Callable[[float], str], alice: dict[str, str]
) -> None:
    graded(2.0)
    reply = client.get(f"{EXPORT}?format=pdf", headers=alice)
    assert reply.status_code == 400 and "clr-di" in reply.json["message"]
    assert client.get("/api/v1/records/status/expired").status_code == 404


def test_the_status_list_is_public_signed_and_of_the_standard_size(client: FlaskClient) -> None:
    listed = client.get("/api/v1/records/status/revocation")
    assert listed.status_code == 200
    document = json.loads(listed.data)
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert verify_credential(listed.data, **{**resolve(client), "status_lists": []}, check_status=False)


def test_a_history_altered_after_issue_suspends_the_record_and_blocks_new_exports(
    client: FlaskClient, graded: Callable[[float], str], alice: dict[str, str], store: Store
) -> None:
    graded(2.0)
    exported = client.get(f"{EXPORT}?format=clr-di", headers=alice).data
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE record_events SET actor = 'someone' WHERE seq = 1"))
    assert verify_credential(exported, **resolve(client)).statuses == ("suspension",)
    assert client.get(f"{EXPORT}?format=clr-di", headers=alice).status_code == 409


class Counted:
    """Counts how often the status list build reads every issued credential."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.builds = 0
        read = store.issued_credentials

        def counted() -> Any:
            self.builds += 1
            return read()

        monkeypatch.setattr(store, "issued_credentials", counted)


def revocation_bits(client: FlaskClient) -> bytes:
    listed = json.loads(client.get("/api/v1/records/status/revocation").data)
    return status_list.decode(listed["credentialSubject"]["encodedList"])


def test_the_status_list_is_built_once_and_rebuilt_only_after_a_status_write(
    client: FlaskClient,
    graded: Callable[[float], str],
    alice: dict[str, str],
    instructor: dict[str, str],
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    graded(2.0)
    exported = json.loads(client.get(f"{EXPORT}?format=clr-di", headers=alice).data)
    position = int(exported["credentialStatus"][0]["statusListIndex"])
    counted = Counted(store, monkeypatch)
    assert not status_list.is_set(revocation_bits(client), position)
    assert not status_list.is_set(revocation_bits(client), position)
    assert counted.builds == 1  # the second GET was served as built
    body = {"course": "ds101", "value": 55, "reason": "plagiarism finding"}
    assert client.post(f"{RECORD}/overrides", headers=instructor, json=body).status_code == 201
    assert status_list.is_set(revocation_bits(client), position)  # the write is seen at once
    assert status_list.is_set(revocation_bits(client), position)
    assert counted.builds == 2


def test_a_history_altered_in_place_after_a_list_was_built_shows_within_the_lists_max_age(
    client: FlaskClient,
    graded: Callable[[float], str],
    alice: dict[str, str],
    store: Store,
    clock: FakeClock,
) -> None:
    graded(2.0)
    exported = client.get(f"{EXPORT}?format=clr-di", headers=alice).data
    assert verify_credential(exported, **resolve(client)).statuses == ()
    with store.engine.begin() as connection:  # no write of ours: the version cannot see it
        connection.execute(text("UPDATE record_events SET actor = 'someone' WHERE seq = 1"))
    assert verify_credential(exported, **resolve(client)).statuses == ()
    clock.advance(seconds=MAX_AGE.total_seconds())
    assert verify_credential(exported, **resolve(client)).statuses == ("suspension",)
