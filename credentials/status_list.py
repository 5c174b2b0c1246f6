"""W3C Bitstring Status List: which issued credentials are revoked or suspended, published as one list.

Each credential carries a ``BitstringStatusListEntry`` naming a list and its position there.
The issuer publishes the list as a signed ``BitstringStatusListCredential``: a bitstring
(bit 0 first, the most significant bit of the first byte) GZIP-compressed and written as
multibase base64url. At least 131,072 positions, as the standard asks, so that fetching the
list says nothing about which credential is being checked. A list from outside is
decompressed with a cap, so a small file cannot expand into gigabytes.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from credentials.contexts import VC_V2
from grader.errors import BadInput, RecordVerificationFailed

MIN_BITS = 131_072
MAX_BITS = 8 * 16 * 1024 * 1024
PURPOSES = ("revocation", "suspension")
LIST_TYPE = "BitstringStatusListCredential"
ENTRY_TYPE = "BitstringStatusListEntry"


def encode(indices: Iterable[int], size: int = MIN_BITS) -> str:
    """The ``encodedList`` with the bits at ``indices`` set."""
    bits = bytearray(size // 8)
    for index in indices:
        if not 0 <= index < size:
            raise BadInput(f"status index {index} is outside the list's {size} positions")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)  # no timestamp: the same bits, the same list
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``; refuses anything malformed or larger than ``MAX_BITS``."""
    if not encoded.startswith("u"):
        raise RecordVerificationFailed("malformed: a status list is multibase base64url (a leading u)")
    try:
        compressed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
        inflater = zlib.decompressobj(wbits=31)
        bits = inflater.decompress(compressed, MAX_BITS // 8 + 1)
    except (binascii.Error, ValueError, zlib.error) as exc:
        raise RecordVerificationFailed(f"malformed: the status list is not GZIP base64url ({exc})") from exc
    if len(bits) > MAX_BITS // 8 or not inflater.eof:
        raise RecordVerificationFailed("malformed: the status list is larger than any list we accept")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise RecordVerificationFailed(
            f"the status index {index} is outside the list's {len(bits) * 8} positions"
        )
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def entry(list_url: str, purpose: str, index: int) -> dict[str, Any]:
    """The ``credentialStatus`` a credential carries for position ``index`` of the list at ``list_url``."""
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def list_credential(
    list_url: str, purpose: str, issuer: str, valid_from: str, indices: Iterable[int], size: int = MIN_BITS
) -> dict[str, Any]:
    """The unsigned status list credential of ``purpose`` with the bits at ``indices`` set."""
    if purpose not in PURPOSES:
        raise BadInput(f"status purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_TYPE],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode(indices, size),
        },
    }


def statuses_set(credential: Mapping[str, Any], lists: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The purposes (revocation, suspension) whose bit is set for ``credential``, from verified ``lists``.

    ``lists`` maps a status list URL to its credential, whose proof the caller has checked; a
    list that is missing, of another purpose or of another issuer fails, never passes.
    """
    raw = credential.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    found = []
    for status in entries:
        if status.get("type") != ENTRY_TYPE:
            raise RecordVerificationFailed(f"unknown credentialStatus type {status.get('type')!r}")
        url, purpose = status.get("statusListCredential"), status.get("statusPurpose")
        listed = lists.get(url) if isinstance(url, str) else None
        if listed is None:
            raise RecordVerificationFailed(
                f"the status list {url} was not given; fetch it and pass it to the verifier"
            )
        _check_list(listed, purpose, _issuer_id(credential))
        if is_set(decode(listed["credentialSubject"]["encodedList"]), _index(status)):
            found.append(str(purpose))
    return found


def _check_list(listed: Mapping[str, Any], purpose: Any, issuer: str | None) -> None:
    subject = listed.get("credentialSubject")
    if LIST_TYPE not in (listed.get("type") or []) or not isinstance(subject, dict):
        raise RecordVerificationFailed("malformed: the status list is not a BitstringStatusListCredential")
    if subject.get("statusPurpose") != purpose:
        raise RecordVerificationFailed(
            f"the status list is for {subject.get('statusPurpose')!r}, not {purpose!r}"
        )
    if _issuer_id(listed) != issuer:
        raise RecordVerificationFailed(
            "the status list was issued by someone other than the credential's issuer"
        )
    if not isinstance(subject.get("encodedList"), str):
        raise RecordVerificationFailed("malformed: the status list has no encodedList")


def _index(status: Mapping[str, Any]) -> int:
    text = status.get("statusListIndex")
    if not isinstance(text, str) or not text.isdigit():
        raise RecordVerificationFailed(f"malformed: statusListIndex {text!r} is not a non-negative integer")
    return int(text)


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None
