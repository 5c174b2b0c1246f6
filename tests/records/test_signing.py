"""Signed records: sign, export, verify offline; any changed byte, wrong key or unknown key fails."""

from __future__ import annotations

import json
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograde.cli import EXIT_BAD_INPUT, main
from grader.errors import BadInput, RecordVerificationFailed
from records.export import to_clr
from records.signing import (
    PROOF_TYPE,
    decode_signed,
    encode_signed,
    key_id,
    private_key_from_pem,
    public_key_jwk,
    public_key_of,
    public_key_pem,
    public_keys_from,
    sign_document,
    verify_document,
)
from tests.properties import examples
from tests.records.test_export import ISSUED_AT, ISSUER, make_record

PRIVATE = bytes(range(32))  # a fixed key, so failures reproduce
OTHER = bytes(range(100, 132))
PUBLIC, OTHER_PUBLIC = public_key_of(PRIVATE), public_key_of(OTHER)
KEYS = {key_id(PUBLIC): PUBLIC}


def signed_file(private: bytes = PRIVATE) -> bytes:
    clr = to_clr(make_record(), ISSUER, ISSUED_AT)
    return encode_signed(sign_document(clr, private, ISSUED_AT, ISSUER))


SIGNED = signed_file()


def verify_bytes(data: bytes, keys: dict[str, bytes] = KEYS) -> None:
    verify_document(decode_signed(data), keys)


def change_byte(data: bytes, position: int, new: int) -> bytes:
    return data[:position] + bytes([new]) + data[position + 1 :]


def test_a_signed_export_verifies_and_names_its_key_and_time() -> None:
    verify_bytes(SIGNED)
    envelope = decode_signed(SIGNED)
    proof = envelope["proof"]
    assert proof["type"] == PROOF_TYPE and proof["created"] == ISSUED_AT and proof["issuer"] == ISSUER
    assert proof["verificationMethod"] == key_id(PUBLIC) and len(key_id(PUBLIC)) == 16
    assert envelope["document"] == to_clr(make_record(), ISSUER, ISSUED_AT)
    assert signed_file() == SIGNED  # Ed25519 is deterministic: the same record signs to the same bytes


def positions() -> dict[str, int]:
    """Bytes worth naming: the first and last, a grade, the signing time, the key id, the signature's end."""
    text = SIGNED.decode("utf-8")
    return {
        "first": 0,
        "trailing newline": len(SIGNED) - 1,
        "grade digit": SIGNED.index(b'"grade":84') + len('"grade":8'),
        "learner": SIGNED.index(b'"learner":"alice"') + len('"learner":"'),
        "signing time": SIGNED.index(b'"created":"') + len('"created":"2025-06-'),
        "key id": SIGNED.index(key_id(PUBLIC).encode()),
        "signature start": text.index('"proofValue":"') + len('"proofValue":"'),
        "signature end": text.index('"', text.index('"proofValue":"') + len('"proofValue":"')) - 1,
        "middle": len(SIGNED) // 2,
        "a structural brace": len(SIGNED) - 2,
    }


@pytest.mark.parametrize(
    "new", [0x20, 0x30, 0x41, 0x7E, 0xFF, None], ids=["space", "0", "A", "~", "0xff", "bit flip"]
)
@pytest.mark.parametrize("name", list(positions()))
def test_changing_one_byte_anywhere_fails_verification(name: str, new: int | None) -> None:
    position = positions()[name]
    replacement = SIGNED[position] ^ 0x01 if new is None else new
    if replacement == SIGNED[position]:
        replacement ^= 0x02
    with pytest.raises(RecordVerificationFailed):
        verify_bytes(change_byte(SIGNED, position, replacement))


@settings(max_examples=examples(400), deadline=None)
@given(st.data())
def test_no_single_byte_change_verifies(data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(SIGNED) - 1), label="position")
    new = data.draw(st.integers(0, 255).filter(lambda b: b != SIGNED[position]), label="byte")
    with pytest.raises(RecordVerificationFailed):
        verify_bytes(change_byte(SIGNED, position, new))


def test_the_last_signature_character_has_one_spelling_only() -> None:
    """base64 decoders ignore a final character's unused bits; a look-alike spelling must still fail."""
    envelope = decode_signed(SIGNED)
    value = envelope["proof"]["proofValue"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(value[-1]) ^ 0x01]  # differs in the low bit, which 64 bytes never use
    envelope["proof"]["proofValue"] = value[:-1] + twin
    with pytest.raises(RecordVerificationFailed, match="canonical unpadded base64url"):
        verify_document(envelope, KEYS)


def test_a_change_to_the_proof_metadata_is_caught_by_the_signature() -> None:
    envelope = decode_signed(SIGNED)
    envelope["proof"]["created"] = "2020-01-01T00:00:00Z"  # backdated, re-encoded cleanly
    with pytest.raises(RecordVerificationFailed, match="does not match"):
        verify_bytes(encode_signed(envelope))


def test_a_wrong_key_under_the_right_id_fails_clearly() -> None:
    with pytest.raises(
        RecordVerificationFailed, match="does not match: the record was changed after signing"
    ):
        verify_bytes(SIGNED, {key_id(PUBLIC): OTHER_PUBLIC})


def test_an_unknown_key_id_fails_naming_both() -> None:
    with pytest.raises(RecordVerificationFailed) as caught:
        verify_bytes(SIGNED, {key_id(OTHER_PUBLIC): OTHER_PUBLIC})
    assert f"signed by unknown key {key_id(PUBLIC)}" in caught.value.message
    assert key_id(OTHER_PUBLIC) in caught.value.message
    verify_bytes(signed_file(OTHER), {key_id(OTHER_PUBLIC): OTHER_PUBLIC})


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not json", "not UTF-8 JSON"),
        (b"[1,2]\n", "not a JSON object"),
        (b'{"document":{}}\n', "expected exactly {document, proof}"),
        (json.dumps(json.loads(SIGNED), indent=2).encode(), "not byte for byte as issued"),
        (SIGNED.rstrip(b"\n"), "not byte for byte as issued"),
        (b'{"document":{},"proof":{"type":"DataIntegrityProof"}}\n', "proof type"),
        (b'{"document":{"x":NaN},"proof":{}}\n', "non-JSON number"),
    ],
    ids=["not json", "array", "no proof", "pretty-printed", "no newline", "other proof type", "NaN"],
)
def test_malformed_files_fail_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(RecordVerificationFailed, match=reason):
        verify_bytes(data)
    assert (
        issubclass(RecordVerificationFailed, BadInput)
        and RecordVerificationFailed.code == "record_verification_failed"
    )


def test_published_keys_read_back_as_jwk_jwk_set_and_pem() -> None:
    jwk = public_key_jwk(PUBLIC)
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["kid"] == key_id(PUBLIC)
    assert public_keys_from(json.dumps(jwk).encode()) == KEYS
    other_kind = {"kty": "RSA", "n": "AQAB", "e": "AQAB", "kid": "rsa"}
    both = public_keys_from(json.dumps({"keys": [other_kind, jwk, public_key_jwk(OTHER_PUBLIC)]}).encode())
    assert both == {**KEYS, key_id(OTHER_PUBLIC): OTHER_PUBLIC}
    assert public_keys_from(public_key_pem(PUBLIC)) == KEYS
    with pytest.raises(BadInput, match="is not the id of its key"):
        public_keys_from(json.dumps({**jwk, "kid": key_id(OTHER_PUBLIC)}).encode())
    with pytest.raises(BadInput, match="neither PEM nor JSON"):
        public_keys_from(b"hello")
    with pytest.raises(BadInput, match="no Ed25519 key"):
        public_keys_from(json.dumps({"keys": [other_kind]}).encode())


# The command line: `autograde records verify` and `keygen`, called through main() as a user would.


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOGRADE_DATA_DIR", str(tmp_path))


@pytest.fixture
def key_files(tmp_path: Path) -> dict[str, Path]:
    jwk, pem = tmp_path / "public.jwk", tmp_path / "public.pem"
    jwk.write_text(json.dumps(public_key_jwk(PUBLIC)))
    pem.write_bytes(public_key_pem(PUBLIC))
    return {"jwk": jwk, "pem": pem}


@pytest.mark.parametrize("kind", ["jwk", "pem"])
def test_cli_verifies_an_intact_file_and_refuses_it_after_one_byte_changes(
    kind: str, tmp_path: Path, key_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    record = tmp_path / "alice.json"
    record.write_bytes(SIGNED)
    assert main(["records", "verify", str(record), "--public-key", str(key_files[kind])]) == 0
    assert capsys.readouterr().out == f"valid: alice msc-data signed by {key_id(PUBLIC)} at {ISSUED_AT}\n"

    position = SIGNED.index(b'"grade":84') + len('"grade":8')
    record.write_bytes(change_byte(SIGNED, position, ord("9")))  # 84 -> 89
    assert main(["records", "verify", str(record), "--public-key", str(key_files[kind])]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == "" and "does not match: the record was changed after signing" in captured.err


def test_cli_names_an_unknown_key_and_a_missing_file(
    tmp_path: Path, key_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    record = tmp_path / "bob.json"
    record.write_bytes(signed_file(OTHER))
    assert main(["records", "verify", str(record), "--public-key", str(key_files["jwk"])]) == EXIT_BAD_INPUT
    assert f"signed by unknown key {key_id(OTHER_PUBLIC)}" in capsys.readouterr().err
    assert (
        main(["records", "verify", str(tmp_path / "none.json"), "--public-key", str(key_files["jwk"])])
        == EXIT_BAD_INPUT
    )
    assert "cannot read" in capsys.readouterr().err


def test_cli_keygen_writes_a_private_key_only_its_owner_reads_and_signs_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "signing.pem"
    assert main(["records", "keygen", "--out", str(key)]) == 0
    jwk = json.loads(capsys.readouterr().out)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and "PRIVATE" not in json.dumps(jwk)
    private = private_key_from_pem(key.read_bytes())
    assert jwk == public_key_jwk(public_key_of(private))

    published, record = tmp_path / "published.jwk", tmp_path / "record.json"
    published.write_text(json.dumps(jwk))
    record.write_bytes(signed_file(private))
    assert main(["records", "verify", str(record), "--public-key", str(published)]) == 0
    assert f"signed by {jwk['kid']}" in capsys.readouterr().out

    before = key.read_bytes()
    assert main(["records", "keygen", "--out", str(key)]) == EXIT_BAD_INPUT
    assert "never overwritten" in capsys.readouterr().err and key.read_bytes() == before


@pytest.fixture
def key_server() -> Iterator[str]:
    """A real local HTTP server publishing the JWK set, as the service does."""
    body = json.dumps({"keys": [public_key_jwk(PUBLIC)]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            found = self.path == "/keys"
            self.send_response(200 if found else 404)
            self.end_headers()
            self.wfile.write(body if found else b"")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_cli_fetches_the_published_key_from_a_url(
    key_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = tmp_path / "alice.json"
    record.write_bytes(SIGNED)
    assert main(["records", "verify", str(record), "--key-url", f"{key_server}/keys"]) == 0
    assert capsys.readouterr().out.startswith("valid: alice msc-data")
    assert main(["records", "verify", str(record), "--key-url", f"{key_server}/gone"]) == EXIT_BAD_INPUT
    assert "cannot fetch the public key" in capsys.readouterr().err
