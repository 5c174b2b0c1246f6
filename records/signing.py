"""Ed25519 signatures over a record's canonical JSON, checkable offline with the published key.

A signed record is an envelope ``{"document": ..., "proof": ...}``. The signature covers
the canonical JSON (``records/history.py``: sorted keys, no spaces, UTF-8) of
``{"document", "proof" without proofValue}``, so the proof's time, key id and issuer are as
tamper-evident as the document.
This is our own scheme, named for what it is (``Ed25519CanonicalJsonSignature``): it is not
the W3C ``eddsa-jcs-2022`` cryptosuite (which signs hashes of the proof options and of the
document and writes a multibase value), and the canonical form is JCS-like, not RFC 8785
(Python's float text and code-point key order differ from JCS at the edges).

A signed file is the envelope's canonical JSON and a newline, byte for byte
(``encode_signed``); ``decode_signed`` refuses any other bytes, so changing any one byte
of a file, even insignificant whitespace, fails verification.

Keys are raw bytes (32 each) passed in; nothing here generates, reads or stores a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from grader.errors import BadInput, RecordVerificationFailed
from records.history import canonical_json

PROOF_TYPE = "Ed25519CanonicalJsonSignature"
PROOF_PURPOSE = "assertionMethod"
KEY_BYTES = 32


def public_key_of(private: bytes) -> bytes:
    return _private_key(private).public_key().public_bytes_raw()


def key_id(public: bytes) -> str:
    """The first 16 hex digits of SHA-256 over the raw public key: short, stable, derived, not chosen."""
    return hashlib.sha256(_check_length(public, "public")).hexdigest()[:16]


def public_key_jwk(public: bytes) -> dict[str, str]:
    """The key as a JWK (RFC 8037, OKP/Ed25519) with its ``kid``, the form the service publishes."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(public),
        "kid": key_id(public),
        "alg": "EdDSA",
        "use": "sig",
    }


def public_key_from_jwk(jwk: Mapping[str, Any]) -> bytes:
    """The raw key of an OKP/Ed25519 JWK; a ``kid`` that does not match the key is refused."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise BadInput("the JWK is not an Ed25519 public key (kty OKP, crv Ed25519, x)")
    public = _check_length(_b64url_decode(jwk["x"], "the JWK's x"), "public")
    if "kid" in jwk and jwk["kid"] != key_id(public):
        raise BadInput(f"the JWK's kid {jwk['kid']!r} is not the id of its key ({key_id(public)})")
    return public


def public_key_from_pem(pem: bytes) -> bytes:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise BadInput("not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise BadInput("the PEM public key is not an Ed25519 key")
    return key.public_bytes_raw()


def public_keys_from(data: bytes) -> dict[str, bytes]:
    """``{kid: raw key}`` from a published key file: a PEM public key, a JWK, or a JWK set.

    A set may hold keys of other kinds (the service's other uses); only Ed25519 ones are kept.
    """
    if data.lstrip().startswith(b"-----BEGIN"):
        public = public_key_from_pem(data)
        return {key_id(public): public}
    try:
        parsed = json.loads(data)
    except ValueError as exc:
        raise BadInput("the public key is neither PEM nor JSON (a JWK or a JWK set)") from exc
    if not isinstance(parsed, dict):
        raise BadInput("the public key JSON is not a JWK or a JWK set")
    jwks = parsed.get("keys", [parsed])
    if not isinstance(jwks, list) or not all(isinstance(jwk, dict) for jwk in jwks):
        raise BadInput("the JWK set's keys is not a list of JWKs")
    eddsa = (
        [jwk for jwk in jwks if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519"]
        if "keys" in parsed
        else jwks
    )
    if not eddsa:
        raise BadInput("the JWK set holds no Ed25519 key")
    keys = [public_key_from_jwk(jwk) for jwk in eddsa]
    return {key_id(public): public for public in keys}


def private_key_from_pem(pem: bytes) -> bytes:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise BadInput("not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise BadInput("the PEM private key is not an Ed25519 key")
    return key.private_bytes_raw()


def private_key_pem(private: bytes) -> bytes:
    """PKCS#8 PEM, unencrypted: the file's permissions protect it."""
    return _private_key(private).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_key_pem(public: bytes) -> bytes:
    key = Ed25519PublicKey.from_public_bytes(_check_length(public, "public"))
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def sign_document(
    document: Mapping[str, Any], private: bytes, issued_at: str, issuer: Mapping[str, Any]
) -> dict[str, Any]:
    """The envelope: the document and a proof signed by ``private`` at ``issued_at`` (ISO 8601, UTC)."""
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "created": issued_at,
        "verificationMethod": key_id(public_key_of(private)),
        "proofPurpose": PROOF_PURPOSE,
        "issuer": dict(issuer),
    }
    signature = _private_key(private).sign(_signed_bytes(document, proof))
    return {"document": dict(document), "proof": {**proof, "proofValue": _b64url(signature)}}


def verify_document(envelope: Mapping[str, Any], public_keys: Mapping[str, bytes]) -> None:
    """Returns if a key in ``public_keys`` (by key id) signed exactly this envelope; raises otherwise."""
    document, proof = _parts(envelope)
    kid = proof["verificationMethod"]
    if kid not in public_keys:
        known = ", ".join(sorted(public_keys)) or "none"
        raise RecordVerificationFailed(f"signed by unknown key {kid} (known keys: {known})")
    signature = _b64url_decode(proof["proofValue"], "proofValue", RecordVerificationFailed)
    unsigned = {name: value for name, value in proof.items() if name != "proofValue"}
    try:
        Ed25519PublicKey.from_public_bytes(public_keys[kid]).verify(
            signature, _signed_bytes(document, unsigned)
        )
    except (InvalidSignature, ValueError) as exc:
        raise RecordVerificationFailed(
            f"the signature of key {kid} does not match: the record was changed after signing, or the key is wrong"
        ) from exc


def is_legacy(data: bytes) -> bool:
    """Whether a file is this scheme's envelope (rather than a standard credential or a VC-JWT)."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(value, dict) and set(value) == {"document", "proof"}


def encode_signed(envelope: Mapping[str, Any]) -> bytes:
    return canonical_json(envelope) + b"\n"


def decode_signed(data: bytes) -> dict[str, Any]:
    """The envelope of a signed file, which must be exactly ``encode_signed`` of what it holds."""
    try:
        envelope = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RecordVerificationFailed(f"malformed: the signed record is not UTF-8 JSON ({exc})") from exc
    if not isinstance(envelope, dict):
        raise RecordVerificationFailed("malformed: the signed record is not a JSON object")
    try:
        issued = encode_signed(envelope)
    except ValueError as exc:  # NaN or Infinity, which canonical JSON refuses
        raise RecordVerificationFailed(
            f"malformed: the signed record holds a non-JSON number ({exc})"
        ) from exc
    if issued != data:
        raise RecordVerificationFailed(
            "malformed: the file is not byte for byte as issued (changed or reformatted; keys sorted, no spaces)"
        )
    return envelope


def _parts(envelope: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    document, proof = envelope.get("document"), envelope.get("proof")
    if (
        set(envelope) != {"document", "proof"}
        or not isinstance(document, dict)
        or not isinstance(proof, dict)
    ):
        raise RecordVerificationFailed("malformed: expected exactly {document, proof} objects")
    if proof.get("type") != PROOF_TYPE:
        raise RecordVerificationFailed(f"malformed: proof type {proof.get('type')!r} is not {PROOF_TYPE}")
    for name in ("verificationMethod", "proofValue", "created"):
        if not isinstance(proof.get(name), str):
            raise RecordVerificationFailed(f"malformed: the proof has no {name}")
    return document, proof


def _signed_bytes(document: Mapping[str, Any], proof: Mapping[str, Any]) -> bytes:
    return canonical_json({"document": document, "proof": proof})


def _private_key(private: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_check_length(private, "private"))


def _check_length(key: bytes, which: str) -> bytes:
    if len(key) != KEY_BYTES:
        raise BadInput(f"an Ed25519 {which} key is {KEY_BYTES} bytes, not {len(key)}")
    return key


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str, what: str, error: type[BadInput] = BadInput) -> bytes:
    """Strict: only the one unpadded spelling of the bytes is accepted (Python's decoder is lenient)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise error(f"malformed: {what} is not base64url") from exc
    if _b64url(raw) != text:
        raise error(f"malformed: {what} is not canonical unpadded base64url")
    return raw
