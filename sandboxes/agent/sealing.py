"""Sealing a request's secret part (a test's text) between the worker and the agent.

Why: under gVisor, code of another uid can open the agent's stdin through
``/proc/<agent>/fd/0`` and read requests as they pass (seen with gVisor release 20221219;
runc refuses). Requests are already signed, so nothing can be forged that way, but a test's
text, hidden tests included, must not be read. The worker seals it with a key derived from
the one agreed in the hello, before any learner code ran: SHAKE-256 of the key and a fresh
nonce is the keystream, XORed with the text; the signature over the whole line covers the
sealed text. Stdlib only; the worker imports this same file (``sandboxes.agent.sealing``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets

NONCE = 16


def _keystream(key: bytes, nonce: bytes, size: int) -> bytes:
    return hashlib.shake_256(b"autograde-seal\0" + key + nonce).digest(size)


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def seal(key: bytes, text: str) -> str:
    nonce = secrets.token_bytes(NONCE)
    data = text.encode()
    return base64.b64encode(nonce + _xor(data, _keystream(key, nonce, len(data)))).decode()


def open_sealed(key: bytes, sealed: str) -> str:
    raw = base64.b64decode(sealed)
    nonce, data = raw[:NONCE], raw[NONCE:]
    return _xor(data, _keystream(key, nonce, len(data))).decode()
