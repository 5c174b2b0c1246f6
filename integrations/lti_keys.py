"""The tool's RSA keys for LTI 1.3: reading them, and publishing their public halves as a JWK set.

A platform verifies what the tool signs (the client assertion of a service token request)
against the key set at ``/lti/jwks``; it picks the key by ``kid``. The ``kid`` is the key's
RFC 7638 thumbprint, so every host computes the same one from the same file and no
registry of key ids is needed. During a rotation the retired keys stay in the set next to
the new one, so a platform still holding an assertion or a cached set keeps working.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from grader.errors import BadInput

KEY_BITS = 2048
ALGORITHM = "RS256"  # the one algorithm LTI 1.3 requires of every tool and platform


def new_private_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def private_key_from_pem(pem: bytes) -> rsa.RSAPrivateKey:
    """An RSA private key from PEM; BadInput for anything else (an Ed25519 records key, garbage)."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise BadInput(f"not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BadInput(f"an LTI tool key must be RSA (for {ALGORITHM}), not {type(key).__name__}")
    if key.key_size < KEY_BITS:
        raise BadInput(f"an LTI tool key needs at least {KEY_BITS} bits, this one has {key.key_size}")
    return key


def public_key_from_pem(pem: bytes) -> rsa.RSAPublicKey:
    """The public key in a retired key's file: its private key, or just its public half (PEM)."""
    if b"PRIVATE KEY" in pem:
        return private_key_from_pem(pem).public_key()
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise BadInput(f"not a PEM public or private key: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadInput(f"an LTI tool key must be RSA, not {type(key).__name__}")
    return key


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def key_id(public: rsa.RSAPublicKey) -> str:
    """RFC 7638: SHA-256 over the required members in lexical order, no spaces, base64url."""
    numbers = public.public_numbers()
    canonical = json.dumps(
        {"e": _b64(numbers.e), "kty": "RSA", "n": _b64(numbers.n)}, separators=(",", ":"), sort_keys=True
    )
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def public_jwk(public: rsa.RSAPublicKey) -> dict[str, str]:
    numbers = public.public_numbers()
    return {
        "kty": "RSA",
        "alg": ALGORITHM,
        "use": "sig",
        "kid": key_id(public),
        "n": _b64(numbers.n),
        "e": _b64(numbers.e),
    }


def key_set(published: list[rsa.RSAPublicKey]) -> dict[str, Any]:
    """The JWK set: each key once, the signing key first."""
    seen: dict[str, dict[str, str]] = {}
    for public in published:
        jwk = public_jwk(public)
        seen.setdefault(jwk["kid"], jwk)
    return {"keys": list(seen.values())}
