"""Issuing records and publishing their status (service/credentials.py), on SQLite and PostgreSQL:
positions kept across exports, a list that verifies, a grade overturned after issue revoked, a
frozen record suspended, and a history edited in place suspending every credential of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from credentials.status_list import PURPOSES
from credentials.verify import verify_credential
from grader.errors import BadInput
from records.compute import compute_record
from records.programme import Programme
from service.credentials import issue_record, status_list_credential
from service.programmes import create_programme
from store import Store
from tests.records.histories import LEARNER, freeze, override, programme_data
from tests.records.test_issuance import (  # the issuer and grades the pure issuance is tested with
    DID,
    GRADED,
    ISSUER,
)

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


@pytest.fixture
def programme(store: Store) -> Programme:
    programme = create_programme(store, "ds.json", json.dumps(programme_data()).encode())
    for change in GRADED:
        append(store, programme, change)
    return programme


def append(store: Store, programme: Programme, change: dict[str, Any]) -> None:
    store.append_record_event(programme.id, LEARNER, change["kind"], change["body"], NOW, "worker")


def export(store: Store, programme: Programme, proof_format: str = "clr-di") -> bytes:
    history = store.record_history(programme.id, LEARNER)
    return issue_record(
        store, compute_record(programme, LEARNER, history), history, ISSUER, NOW, proof_format
    )


def lists(store: Store) -> list[bytes]:
    return [status_list_credential(store, ISSUER, purpose, NOW) for purpose in ("revocation", "suspension")]


def test_an_export_verifies_with_its_status_lists_and_keeps_its_positions(
    store: Store, programme: Programme
) -> None:
    first = export(store, programme)
    verified = verify_credential(first, {}, lists(store))
    assert verified.statuses == () and verified.credential["issuer"]["id"] == DID
    issued = store.issued_credentials()
    again = export(store, programme, "clr-jwt")
    assert store.issued_credentials() == issued  # the same credentials, the same positions
    assert verify_credential(again, {}, lists(store)).statuses == ()


def test_a_status_list_of_an_unknown_purpose_is_refused_naming_the_known_ones(
    store: Store, programme: Programme
) -> None:
    export(store, programme)
    with pytest.raises(BadInput) as refused:
        status_list_credential(store, ISSUER, "expiry", NOW)
    assert "'expiry'" in refused.value.message and all(p in refused.value.message for p in PURPOSES)


def test_a_grade_overturned_after_issue_revokes_the_credential(store: Store, programme: Programme) -> None:
    issued = export(store, programme)
    append(store, programme, override("ml", 20.0))
    assert verify_credential(issued, {}, lists(store)).statuses == ("revocation",)


def test_a_frozen_record_is_suspended_not_revoked(store: Store, programme: Programme) -> None:
    issued = export(store, programme)
    append(store, programme, freeze())
    assert verify_credential(issued, {}, lists(store)).statuses == ("suspension",)


def test_a_history_edited_in_place_suspends_every_credential_of_it(
    store: Store, programme: Programme
) -> None:
    issued = export(store, programme)
    with store.engine.begin() as connection:  # outside the service: the chain no longer verifies
        connection.execute(text("UPDATE record_events SET actor = 'someone' WHERE seq = 1"))
    assert verify_credential(issued, {}, lists(store)).statuses == ("suspension",)
