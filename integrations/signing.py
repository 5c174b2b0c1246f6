"""HMAC-SHA256 signatures over a timestamp and the raw body, in both directions.

A platform signs each webhook call with its secret; we sign each result we send back with
the same secret. The signed message is ``<timestamp>.<raw body bytes>``: binding the
timestamp stops an old request from being replayed later (outside ``window`` seconds it is
refused as stale), and signing the raw bytes, not a parsed form, means nothing a proxy or a
JSON library normalises can change what was signed. Comparison is constant-time.

Headers::

    X-Autograde-Timestamp: 1764380000            (Unix seconds)
    X-Autograde-Signature: v1=<64 hex digits>    (several, comma-separated, while a secret rotates)
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol

from grader.errors import BadSignature, StaleRequest

TIMESTAMP_HEADER = "X-Autograde-Timestamp"
SIGNATURE_HEADER = "X-Autograde-Signature"
DELIVERY_HEADER = "X-Autograde-Delivery"
SCHEME = "v1"


class Headers(Protocol):
    """Anything with ``get`` by header name: a dict, Flask's or requests' case-insensitive maps."""

    def get(self, key: str, /) -> str | None: ...


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=<hex>``: HMAC-SHA256 with ``secret`` over ``b"<timestamp>." + body``."""
    message = str(int(timestamp)).encode() + b"." + body
    return f"{SCHEME}=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(int(timestamp)), SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(secret: str, headers: Headers, body: bytes, now: float, window: float) -> int:
    """The request's timestamp if it is signed with ``secret`` and fresh; else a 401 error saying why.

    ``headers`` is looked up by the exact names above (Flask's and requests' header maps
    are case-insensitive already).
    """
    raw_timestamp = headers.get(TIMESTAMP_HEADER)
    raw_signature = headers.get(SIGNATURE_HEADER)
    if not raw_timestamp:
        raise BadSignature(f"the request has no {TIMESTAMP_HEADER} header (Unix seconds)")
    if not raw_signature:
        raise BadSignature(f"the request has no {SIGNATURE_HEADER} header ({SCHEME}=<hex HMAC-SHA256>)")
    try:
        timestamp = int(raw_timestamp.strip())
    except ValueError:
        raise BadSignature(
            f"{TIMESTAMP_HEADER} must be whole Unix seconds, not {raw_timestamp[:40]!r}"
        ) from None
    skew = now - timestamp
    if abs(skew) > window:
        direction = "old" if skew > 0 else "in the future"
        raise StaleRequest(
            f"the signed timestamp is {abs(skew):.0f} s {direction}; requests must be signed within "
            f"{window:.0f} s of the server's clock (sign each request when you send it)"
        )
    expected = signature(secret, timestamp, body)
    offered = [part.strip() for part in raw_signature.split(",")]
    if not any(part.startswith(f"{SCHEME}=") for part in offered):
        raise BadSignature(f"{SIGNATURE_HEADER} must hold {SCHEME}=<hex HMAC-SHA256>")
    if not any(hmac.compare_digest(part.encode(), expected.encode()) for part in offered):
        raise BadSignature(
            "the signature does not match: HMAC-SHA256 with the platform's secret over "
            "'<timestamp>.' followed by the exact request body"
        )
    return timestamp
