"""`autograde records verify` on standard credentials, as a registrar would run it: offline, from files."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from autograde.cli import EXIT_BAD_INPUT, main
from credentials import status_list
from credentials.dids import did_document, method_id
from credentials.eddsa_rdfc import add_proof
from credentials.multikey import public_of
from records.compute import compute_record
from records.issuance import Issuer, issue, plan
from tests.records.histories import LEARNER, exam, grade, history, make_programme, proctoring

DID = "did:web:grades.example.edu"
STATUS = "https://grades.example.edu/api/v1/records/status"
ISSUED_AT = "2026-06-30T12:00:00Z"
OLD, NEW = (Ed25519PrivateKey.generate().private_bytes_raw() for _ in range(2))


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOGRADE_DATA_DIR", str(tmp_path))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any attempt to reach the network fails the command loudly, and is recorded."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise AssertionError(f"network access while verifying: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def write_files(tmp_path: Path, revoked: bool = False, proof_format: str = "clr-di") -> dict[str, Path]:
    events = history(grade("stats", "hw1", 9), exam("stats", 80), proctoring("stats", "verified"))
    record = compute_record(make_programme(), LEARNER, events).to_dict()
    issuer = Issuer(DID, "Example University", OLD, STATUS)
    positions = {c.credential_id: n for n, c in enumerate(plan(record, issuer, ISSUED_AT))}
    files = {"credential": tmp_path / "clr.json", "did": tmp_path / "did.json"}
    files["credential"].write_bytes(issue(record, events, issuer, ISSUED_AT, positions, proof_format))
    # the key was rotated since: the document lists the new key first and keeps the old one
    files["did"].write_text(json.dumps(did_document(DID, [public_of(NEW), public_of(OLD)])))
    for purpose in status_list.PURPOSES:
        marked = list(positions.values()) if revoked and purpose == "revocation" else []
        unsigned = status_list.list_credential(f"{STATUS}/{purpose}", purpose, DID, ISSUED_AT, marked)
        signed = add_proof(unsigned, NEW, method_id(DID, public_of(NEW)), ISSUED_AT)
        files[purpose] = tmp_path / f"{purpose}.json"
        files[purpose].write_text(json.dumps(signed))
    return files


def verify(files: dict[str, Path], *extra: str) -> int:
    arguments = ["--did-document", str(files["did"])]
    for purpose in status_list.PURPOSES:
        arguments += ["--status-list", str(files[purpose])]
    return main(["records", "verify", str(files["credential"]), *arguments, *extra])


@pytest.mark.parametrize("proof_format", ["clr-di", "clr-jwt"])
def test_a_clr_verifies_offline_with_no_network_access(
    proof_format: str, tmp_path: Path, no_network: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_files(tmp_path, proof_format=proof_format)
    assert verify(files) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.startswith("valid: ClrCredential") and "neither revoked nor suspended" in out
    assert no_network == []


def test_the_no_network_guard_would_catch_a_fetch(no_network: list[Any]) -> None:
    with pytest.raises(AssertionError, match="network access"):
        socket.create_connection(("example.org", 443))
    assert no_network


def test_a_revoked_record_fails_with_what_the_issuer_marked(
    tmp_path: Path, no_network: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify(write_files(tmp_path, revoked=True)) == EXIT_BAD_INPUT
    assert "marked this credential: revocation" in capsys.readouterr().err


def test_one_changed_byte_fails(
    tmp_path: Path, no_network: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_files(tmp_path)
    data = files["credential"].read_bytes()
    files["credential"].write_bytes(data.replace(b'"Course stats', b'"Course statz', 1))
    assert data != files["credential"].read_bytes()
    assert verify(files) == EXIT_BAD_INPUT
    assert "does not match" in capsys.readouterr().err


def test_without_the_status_lists_it_fails_unless_told_to_skip(
    tmp_path: Path, no_network: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_files(tmp_path)
    bare = ["records", "verify", str(files["credential"]), "--did-document", str(files["did"])]
    assert main(bare) == EXIT_BAD_INPUT
    assert "was not given" in capsys.readouterr().err
    assert main([*bare, "--skip-status"]) == 0
    assert "status not checked" in capsys.readouterr().out


def test_without_the_did_document_it_says_where_to_get_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_files(tmp_path)
    assert main(["records", "verify", str(files["credential"]), "--skip-status"]) == EXIT_BAD_INPUT
    assert ".well-known/did.json" in capsys.readouterr().err
