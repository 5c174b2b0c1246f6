"""VC-JWT as Open Badges 3.0 defines it: the credential is the JWT payload, signed with EdDSA (Ed25519).

The payload also carries the registered claims OB 3.0 requires (``iss`` the issuer's id,
``jti`` the credential's id, ``nbf`` its validFrom; ``sub`` when the subject has an id,
``exp`` when it expires); the header names the key (``kid``, a DID verification method).
A token may instead carry its key (``jwk``, as some issuers write it): it then stands for
the ``did:key`` of that key, and the verifier still requires that DID to be the issuer.
Only ``EdDSA`` is accepted: the token cannot choose a weaker algorithm or ``none``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from credentials.eddsa_rdfc import VerifiedProof
from credentials.multikey import did_key_method
from grader.errors import RecordVerificationFailed

ALGORITHM = "EdDSA"
MAX_TOKEN_BYTES = 2_000_000


def sign(credential: Mapping[str, Any], private: bytes, method: str) -> str:
    """The compact JWS of ``credential`` (no embedded proof) signed by ``private`` as ``method``."""
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": method}
    payload = {**credential, **_claims(credential)}
    signing_input = _segment(header) + "." + _segment(payload)
    signature = Ed25519PrivateKey.from_private_bytes(private).sign(signing_input.encode("ascii"))
    return signing_input + "." + _b64url(signature)


def verify(token: str, key_for: Callable[[str], bytes]) -> tuple[dict[str, Any], VerifiedProof]:
    """The credential a valid token carries and who signed it; raises if anything does not hold."""
    if len(token) > MAX_TOKEN_BYTES:
        raise RecordVerificationFailed("the token is larger than any credential we accept")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise RecordVerificationFailed("malformed: a compact JWT has three dot-separated parts")
    header, payload = _json_segment(parts[0], "header"), _json_segment(parts[1], "payload")
    if header.get("alg") != ALGORITHM:
        raise RecordVerificationFailed(f"the JWT must be signed with {ALGORITHM}, not {header.get('alg')!r}")
    method = _method_of(header)
    try:
        Ed25519PublicKey.from_public_bytes(key_for(method)).verify(
            _b64url_decode(parts[2], "signature"), f"{parts[0]}.{parts[1]}".encode("ascii")
        )
    except (InvalidSignature, ValueError) as exc:
        raise RecordVerificationFailed(
            f"the JWT signature by {method} does not match: the token was changed, or the key is wrong"
        ) from exc
    _check_claims(payload)
    return payload, VerifiedProof(method, str(payload.get("validFrom", "")))


def _method_of(header: Mapping[str, Any]) -> str:
    """The verification method the header names (``kid``), or the did:key of the key it carries (``jwk``)."""
    if isinstance(header.get("kid"), str):
        return str(header["kid"])
    jwk = header.get("jwk")
    if (
        isinstance(jwk, dict)
        and jwk.get("kty") == "OKP"
        and jwk.get("crv") == "Ed25519"
        and isinstance(jwk.get("x"), str)
    ):
        return did_key_method(_b64url_decode(jwk["x"], "jwk"))
    raise RecordVerificationFailed("the JWT header names no key (kid) and carries no Ed25519 key (jwk)")


def _claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    claims: dict[str, Any] = {"iss": _id_of(credential.get("issuer")), "jti": credential.get("id")}
    claims["nbf"] = _epoch(str(credential.get("validFrom", "")))
    if "validUntil" in credential:
        claims["exp"] = _epoch(str(credential["validUntil"]))
    subject = _id_of(credential.get("credentialSubject"))
    if subject is not None:
        claims["sub"] = subject
    return {name: value for name, value in claims.items() if value is not None}


def _check_claims(payload: Mapping[str, Any]) -> None:
    expected = {name: value for name, value in _claims(payload).items()}
    for name, value in expected.items():
        if payload.get(name) != value:
            raise RecordVerificationFailed(f"the JWT claim {name} is {payload.get(name)!r}, not {value!r}")


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _epoch(timestamp: str) -> int:
    try:
        return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())
    except ValueError as exc:
        raise RecordVerificationFailed(f"malformed: {timestamp!r} is not an ISO 8601 date and time") from exc


def _segment(value: Mapping[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def _json_segment(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64url_decode(text, what))
    except ValueError as exc:
        raise RecordVerificationFailed(f"malformed: the JWT {what} is not JSON") from exc
    if not isinstance(value, dict):
        raise RecordVerificationFailed(f"malformed: the JWT {what} is not a JSON object")
    return value


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise RecordVerificationFailed(f"malformed: the JWT {what} is not base64url") from exc
