"""The records signing keys (web/record_key.py): made once where that is safe, only ever read where it is not,
and a key file that is missing or not a key stops the host at start, never at its first export."""

from __future__ import annotations

import dataclasses
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from flask import Flask

from credentials.dids import did_web_of
from grader.errors import InfrastructureError
from records.signing import private_key_from_pem, public_key_jwk, public_key_of, public_key_pem
from service.settings import Settings
from web.record_key import (
    RecordKeys,
    credential_issuer,
    did_document_of,
    load_or_create,
    load_record_keys,
    public_base,
    read_private_key,
    retired_keys,
)


def private_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def settings(tmp_path: Path, **changes: str) -> Settings:
    return dataclasses.replace(Settings(data_dir=str(tmp_path)), **changes)


def test_an_embedded_host_makes_its_key_once_readable_by_itself_alone(tmp_path: Path) -> None:
    first = load_record_keys(settings(tmp_path))
    path = Path(settings(tmp_path).records_key_file)
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_record_keys(settings(tmp_path)) == first
    assert first.published == (public_key_of(first.signing),)


def test_a_key_already_there_is_read_not_replaced(tmp_path: Path) -> None:
    pem = private_pem()
    (tmp_path / "key.pem").write_bytes(pem)
    assert load_or_create(str(tmp_path / "key.pem")) == private_key_from_pem(pem)
    assert (tmp_path / "key.pem").read_bytes() == pem


def test_a_missing_key_file_is_named_with_how_to_make_one_and_none_is_made(tmp_path: Path) -> None:
    with pytest.raises(InfrastructureError, match="keygen") as raised:
        read_private_key(tmp_path / "shared" / "records.pem")
    assert "records.pem" in raised.value.message and not (tmp_path / "shared").exists()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a key",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        public_key_pem(public_key_of(private_key_from_pem(private_pem()))),  # the public half only
    ],
)
def test_a_signing_key_file_that_holds_no_private_key_is_refused(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "key.pem").write_bytes(content)
    with pytest.raises(InfrastructureError, match="not usable"):
        load_or_create(str(tmp_path / "key.pem"))


def test_a_retired_key_is_published_from_its_private_key_or_its_public_half(tmp_path: Path) -> None:
    pem = private_pem()
    public = public_key_of(private_key_from_pem(pem))
    files = {
        "private.pem": pem,
        "public.pem": public_key_pem(public),
        "key.jwk": json.dumps(public_key_jwk(public)).encode(),
        "keys.jwks": json.dumps({"keys": [public_key_jwk(public)]}).encode(),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        assert retired_keys(tmp_path / name) == [public], name


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage", b"[1, 2]", b'{"keys": "x"}', b'{"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}'],
)
def test_a_retired_key_file_that_holds_no_ed25519_key_is_refused(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "old.jwks").write_bytes(content)
    with pytest.raises(InfrastructureError, match="retired records key"):
        retired_keys(tmp_path / "old.jwks")


def test_the_signing_key_is_published_first_then_each_retired_key_once(tmp_path: Path) -> None:
    old = private_pem()
    (tmp_path / "old.pem").write_bytes(old)
    retired = public_key_of(private_key_from_pem(old))
    keys = load_record_keys(
        settings(tmp_path, records_previous_keys=f"{tmp_path}/old.pem, {tmp_path}/old.pem")
    )
    assert keys.published == (public_key_of(keys.signing), retired)
    with pytest.raises(InfrastructureError):
        load_record_keys(settings(tmp_path, records_previous_keys=str(tmp_path / "gone.pem")))


def test_the_did_document_names_every_published_key_under_the_services_did() -> None:
    signing = private_key_from_pem(private_pem())
    retired = public_key_of(private_key_from_pem(private_pem()))
    keys = RecordKeys(signing, (public_key_of(signing), retired))
    document = did_document_of(keys, "https://grades.example.edu/")
    assert document["id"] == did_web_of("https://grades.example.edu") == "did:web:grades.example.edu"
    assert len(document["verificationMethod"]) == 2 and len(document["assertionMethod"]) == 2
    issuer = credential_issuer(keys, "https://grades.example.edu/")
    assert issuer.did == document["id"]


def test_verifiers_are_sent_to_the_configured_address_not_the_one_a_request_named(tmp_path: Path) -> None:
    with Flask(__name__).test_request_context("/", headers={"Host": "evil.example"}):
        assert public_base(settings(tmp_path, public_url="https://grades.example.edu")) == (
            "https://grades.example.edu"
        )
        assert public_base(settings(tmp_path)) == "http://evil.example/"  # unconfigured: the request's own
