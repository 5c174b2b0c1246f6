"""Two web hosts on one database, each with its own data directory, as behind a balancer
(issue 19, item 1): a login made on one host holds on the other, a record exported by one
verifies against the key the other publishes, and a retired key stays published.

Before the shared secrets, each host made its own session secret and signing key in its
data directory: the other host sent the person back to the login page, and refused the
export as "signed by unknown key".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient

from credentials.verify import verify_credential
from grader.errors import InfrastructureError
from records.signing import decode_signed, private_key_pem, public_key_of, public_keys_from, verify_document
from service.settings import Settings
from store import Store
from tests.web.api.test_records import PROGRAMME, post_programme
from tests.web.conftest import MAX_UPLOAD, PASSWORD
from tests.web.fakes import FakeEnqueuer
from tests.web.pages_client import log_in
from web import create_app

pytestmark = pytest.mark.postgres
SESSION_COOKIE = "autograde_session"
EXPORT = "/api/v1/programmes/mm-ds/records/alice/export.json"


def make_key(path: Path) -> bytes:
    """A signing key file as `autograde records keygen` makes it; returns its public key."""
    private = Ed25519PrivateKey.generate().private_bytes_raw()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(private_key_pem(private))
    return public_key_of(private)


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    """What a secret store mounts on every host: the session secret and the records signing key."""
    folder = tmp_path / "secrets"
    folder.mkdir()
    (folder / "session-secret").write_text("a-shared-session-secret-" + "x" * 40 + "\n")
    make_key(folder / "records-signing-key.pem")
    return folder


@pytest.fixture
def host_settings(tmp_path: Path, postgres_url: str, secrets_dir: Path) -> Callable[..., Settings]:
    """One host's configuration: the same for every host, but for its own data directory."""

    def make(host: str, **changes: Any) -> Settings:
        shared: dict[str, Any] = {
            "deployment_mode": "distributed",
            "deployment_id": "grades-test",
            "database_url": postgres_url,
            "secret_key_file": str(secrets_dir / "session-secret"),
            "records_key_file": str(secrets_dir / "records-signing-key.pem"),
        }
        return Settings(
            data_dir=str(tmp_path / host),
            admin_token="admin-secret",
            max_upload_bytes=MAX_UPLOAD,
            redis_url="redis://127.0.0.1:1/0",
            **{**shared, **changes},
        )

    return make


@pytest.fixture
def settings(host_settings: Callable[..., Settings]) -> Settings:
    """Host A, the conftest's ``client``."""
    return host_settings("host-a")


def host(settings: Settings) -> FlaskClient:
    app: Flask = create_app(settings, enqueuer=FakeEnqueuer())
    return app.test_client()


@pytest.fixture
def other_host(host_settings: Callable[..., Settings]) -> FlaskClient:
    return host(host_settings("host-b"))


@pytest.fixture
def graded_record(client: FlaskClient, post_submission: Callable[..., Any], store: Store) -> None:
    """alice has a record in programme mm-ds, from one graded submission."""
    assert post_programme(client, PROGRAMME).status_code == 201
    submission = str(post_submission().json["id"])
    store.claim_submission(submission)
    assert store.save_grade(
        submission, {"score": 2.0, "max_score": 2.0, "rubric_version": "r1", "cells": []}, "", {}
    )


def published_keys(client: FlaskClient) -> dict[str, bytes]:
    return public_keys_from(json.dumps(client.get("/api/v1/records/public-key").json).encode())


def test_a_login_on_one_host_holds_on_the_other(
    client: FlaskClient, other_host: FlaskClient, store: Store
) -> None:
    store.create_account("learner", "alice", PASSWORD, ["ds101"])
    assert log_in(client, "alice").status_code == 302
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    other_host.set_cookie(SESSION_COOKIE, cookie.value)
    page = other_host.get("/learn/")
    assert page.status_code == 200 and "alice" in page.get_data(as_text=True)


def test_a_record_exported_by_one_host_verifies_against_the_others_key(
    client: FlaskClient, other_host: FlaskClient, graded_record: None, alice: dict[str, str]
) -> None:
    signed = client.get(EXPORT, headers=alice)
    assert signed.status_code == 200
    verify_document(decode_signed(signed.data), published_keys(other_host))


def test_no_host_makes_a_key_of_its_own(client: FlaskClient, other_host: FlaskClient, tmp_path: Path) -> None:
    made = [
        path.name
        for host in ("host-a", "host-b")
        if (tmp_path / host).exists()
        for path in (tmp_path / host).iterdir()
    ]
    assert made == []


def test_after_rotation_records_signed_with_the_retired_key_still_verify(
    client: FlaskClient,
    graded_record: None,
    alice: dict[str, str],
    host_settings: Callable[..., Settings],
    secrets_dir: Path,
) -> None:
    before = client.get(EXPORT, headers=alice).data
    retired = secrets_dir / "records-signing-key.pem"
    new_key = make_key(secrets_dir / "records-signing-key-2.pem")
    rotated = host(
        host_settings(
            "host-c",
            records_key_file=str(secrets_dir / "records-signing-key-2.pem"),
            records_previous_keys=str(retired),
        )
    )
    keys = published_keys(rotated)
    assert len(keys) == 2 and new_key in keys.values()
    verify_document(decode_signed(before), keys)
    after = rotated.get(EXPORT, headers=alice).data
    assert (
        decode_signed(after)["proof"]["verificationMethod"]
        != decode_signed(before)["proof"]["verificationMethod"]
    )
    verify_document(decode_signed(after), keys)


def test_a_retired_key_may_be_given_as_its_public_half_only(
    client: FlaskClient, host_settings: Callable[..., Settings], secrets_dir: Path
) -> None:
    retired = secrets_dir / "retired.jwk"
    retired.write_text(json.dumps(client.get("/api/v1/records/public-key").json["keys"][0]))
    make_key(secrets_dir / "new.pem")
    rotated = host(
        host_settings(
            "host-c", records_key_file=str(secrets_dir / "new.pem"), records_previous_keys=str(retired)
        )
    )
    assert set(published_keys(client)) < set(published_keys(rotated))


@pytest.mark.parametrize("missing", ["secret_key_file", "records_key_file", "records_previous_keys"])
def test_a_host_whose_shared_key_file_is_missing_refuses_to_start_and_makes_none(
    host_settings: Callable[..., Settings], tmp_path: Path, missing: str
) -> None:
    settings = host_settings("host-c", **{missing: str(tmp_path / "not-mounted")})
    with pytest.raises(InfrastructureError, match="not-mounted"):
        create_app(settings, enqueuer=FakeEnqueuer())
    assert not (tmp_path / "not-mounted").exists()


def test_a_short_session_secret_file_is_refused(
    host_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    weak = tmp_path / "weak"
    weak.write_text("hunter2\n")
    with pytest.raises(InfrastructureError, match="32 characters"):
        create_app(host_settings("host-c", secret_key_file=str(weak)), enqueuer=FakeEnqueuer())


def test_after_rotation_a_standard_credential_issued_before_still_verifies_by_the_did_document(
    client: FlaskClient,
    graded_record: None,
    alice: dict[str, str],
    host_settings: Callable[..., Settings],
    secrets_dir: Path,
) -> None:
    before = client.get(f"{EXPORT}?format=clr-di", headers=alice).data
    make_key(secrets_dir / "records-signing-key-2.pem")
    rotated = host(
        host_settings(
            "host-c",
            records_key_file=str(secrets_dir / "records-signing-key-2.pem"),
            records_previous_keys=str(secrets_dir / "records-signing-key.pem"),
        )
    )
    document = rotated.get("/.well-known/did.json").json
    assert len(document["assertionMethod"]) == 2
    lists = [rotated.get(f"/api/v1/records/status/{p}").data for p in ("revocation", "suspension")]
    old = verify_credential(before, {document["id"]: document}, lists)
    after = rotated.get(f"{EXPORT}?format=clr-di", headers=alice).data
    new = verify_credential(after, {document["id"]: document}, lists)
    assert old.verification_method != new.verification_method
    assert new.verification_method == document["assertionMethod"][0]  # the signing key is listed first
