"""The service's Ed25519 keys for exported records: the one that signs, and those published to verify.

The private key never leaves its file (mode 0600); its public half is published at
``GET /api/v1/records/public-key`` so anyone can verify a record offline
(``autograde records verify``). On one machine (embedded mode) the key is made on first
use in the data directory; several web processes may start at once, so it is written to
a temporary file and linked into place, and exactly one key wins. With many hosts
(distributed mode) a key made per host would sign exports the other hosts disown, so the
configured file is only ever read, and a host without it refuses to start.

Rotation: the retired keys (``AUTOGRADE_RECORDS_PREVIOUS_KEYS``) stay published next to
the signing key, so every record signed before keeps verifying: in the JWK set of the legacy
signature and in the service's DID document (``did:web``), which names the issuer of the
standard credentials (``records/issuance.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import request

from credentials.dids import did_document, did_web_of
from grader.errors import BadInput, InfrastructureError
from records.issuance import Issuer
from records.signing import private_key_from_pem, public_key_of, public_keys_from
from service.key_files import create_once
from service.settings import Settings


@dataclass(frozen=True)
class RecordKeys:
    """The raw private key that signs exports, and every public key published for verifying (its own first)."""

    signing: bytes
    published: tuple[bytes, ...]


def load_record_keys(settings: Settings) -> RecordKeys:
    """Read at start-up: a host whose key file is missing or unreadable refuses to serve, not its first export."""
    path = settings.records_key_file
    private = read_private_key(Path(path)) if settings.distributed else load_or_create(path)
    retired = [key for name in settings.previous_records_key_files for key in retired_keys(Path(name))]
    return RecordKeys(private, tuple(dict.fromkeys([public_key_of(private), *retired])))


def load_or_create(path: str) -> bytes:
    """The raw 32-byte private key at ``path``, created there first if missing."""
    target = Path(path)
    if not target.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        create_once(target, pem)
    return read_private_key(target)


def read_private_key(path: Path) -> bytes:
    try:
        return private_key_from_pem(read_key_file(path, "records signing key"))
    except BadInput as exc:
        raise InfrastructureError(f"the records signing key {path} is not usable: {exc.message}") from exc


def retired_keys(path: Path) -> list[bytes]:
    """The public keys in a retired key's file: its private key (PEM), or its public half (PEM, JWK or JWK set)."""
    data = read_key_file(path, "retired records key")
    try:
        if b"PRIVATE KEY" in data:
            return [public_key_of(private_key_from_pem(data))]
        return list(public_keys_from(data).values())
    except BadInput as exc:
        raise InfrastructureError(f"the retired records key {path} is not usable: {exc.message}") from exc


def read_key_file(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        hint = (
            "; make one with `autograde records keygen --out FILE`"
            if isinstance(exc, FileNotFoundError)
            else ""
        )
        raise InfrastructureError(f"the {what} {path} cannot be read: {exc.strerror}{hint}") from exc


def public_base(settings: Settings) -> str:
    """Where verifiers reach this service: the configured public URL, else the address this request used."""
    return settings.public_url or request.host_url


def credential_issuer(keys: RecordKeys, base_url: str) -> Issuer:
    """The issuer of standard credentials: the service's did:web at ``base_url``, signing with the records key."""
    base = base_url.rstrip("/")
    return Issuer(did_web_of(base), "autograde", keys.signing, f"{base}/api/v1/records/status")


def did_document_of(keys: RecordKeys, base_url: str) -> dict[str, Any]:
    """The service's DID document: the signing key and every retired one, so older credentials still verify."""
    return did_document(did_web_of(base_url.rstrip("/")), keys.published)
