"""Ed25519 keys as Multikey text (multibase base58btc with a multicodec prefix) and as ``did:key``.

``z6Mk...`` is an Ed25519 public key, ``z3u2...`` a private one: the W3C test vectors and
every did:key wallet spell keys this way. Nothing here makes a key; keys are raw bytes given in.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from grader.errors import BadInput, RecordVerificationFailed

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_PUBLIC = b"\xed\x01"
ED25519_PRIVATE = b"\x80\x26"
KEY_BYTES = 32


def public_of(private: bytes) -> bytes:
    """The raw public half of a raw Ed25519 private key."""
    return Ed25519PrivateKey.from_private_bytes(_checked(private)).public_key().public_bytes_raw()


def base58btc(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    digits = ""
    while number:
        number, digit = divmod(number, 58)
        digits = ALPHABET[digit] + digits
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + digits


def from_base58btc(text: str) -> bytes:
    if not text or any(char not in ALPHABET for char in text):
        raise RecordVerificationFailed("malformed: not base58btc text")
    number = 0
    for char in text:
        number = number * 58 + ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multibase(raw: bytes) -> str:
    """Multibase base58btc: ``z`` and the base58 text."""
    return "z" + base58btc(raw)


def from_multibase(text: str) -> bytes:
    if not text.startswith("z"):
        raise RecordVerificationFailed("malformed: only multibase base58btc (a leading z) is accepted")
    return from_base58btc(text[1:])


def public_multikey(public: bytes) -> str:
    return multibase(ED25519_PUBLIC + _checked(public))


def private_multikey(private: bytes) -> str:
    return multibase(ED25519_PRIVATE + _checked(private))


def public_from_multikey(text: str) -> bytes:
    raw = from_multibase(text)
    if not raw.startswith(ED25519_PUBLIC) or len(raw) != len(ED25519_PUBLIC) + KEY_BYTES:
        raise RecordVerificationFailed(f"malformed: {text!r} is not an Ed25519 public Multikey")
    return raw[len(ED25519_PUBLIC) :]


def private_from_multikey(text: str) -> bytes:
    raw = from_multibase(text)
    if not raw.startswith(ED25519_PRIVATE) or len(raw) != len(ED25519_PRIVATE) + KEY_BYTES:
        raise BadInput(f"{text[:6]}... is not an Ed25519 private Multikey")
    return raw[len(ED25519_PRIVATE) :]


def did_key(public: bytes) -> str:
    """The ``did:key`` of an Ed25519 key: the DID is the key, so it resolves without any lookup."""
    return "did:key:" + public_multikey(public)


def did_key_method(public: bytes) -> str:
    """The verification method id of a ``did:key``: the DID, ``#`` and the key again."""
    multikey = public_multikey(public)
    return f"did:key:{multikey}#{multikey}"


def _checked(key: bytes) -> bytes:
    if len(key) != KEY_BYTES:
        raise BadInput(f"an Ed25519 key is {KEY_BYTES} bytes, not {len(key)}")
    return key
