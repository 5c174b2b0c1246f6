"""The issuer as a DID: a ``did:web`` document listing every key ever used, and key resolution from it.

``did:web:HOST`` is resolved by fetching ``https://HOST/.well-known/did.json``; a verifier
does that once (or receives the file) and then checks offline: nothing here fetches. The
document lists the signing key and every retired one, each with a stable id
(``#key-`` and the first 16 hex digits of SHA-256 over the raw key, the same id the legacy
records key had), all under ``assertionMethod``: rotation never orphans an issued credential.
``did:key`` needs no document at all: the key is the identifier (tests and wallets use it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from credentials.multikey import did_key_method, public_from_multikey, public_multikey
from grader.errors import BadInput, RecordVerificationFailed

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def did_web(host: str) -> str:
    """``did:web`` of a host (a port's colon is percent-encoded, as the method requires)."""
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789.-:")
    if not host or not set(host.lower()) <= allowed:
        raise BadInput(f"{host!r} is not a host name (and port) for did:web")
    return "did:web:" + host.lower().replace(":", "%3A")


def key_fragment(public: bytes) -> str:
    return "key-" + hashlib.sha256(public).hexdigest()[:16]


def method_id(did: str, public: bytes) -> str:
    """The id of ``public`` as a verification method of ``did``."""
    if did.startswith("did:key:"):
        return did_key_method(public)
    return f"{did}#{key_fragment(public)}"


def did_document(did: str, keys: Sequence[bytes]) -> dict[str, Any]:
    """The DID document: every key (the signing key first) as a Multikey, all usable for assertions."""
    methods = [
        {
            "id": method_id(did, public),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_multikey(public),
        }
        for public in dict.fromkeys(keys)
    ]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def controller_of(method: str) -> str:
    """The DID a verification method id belongs to (before the ``#``)."""
    return method.split("#", 1)[0]


def resolve_key(method: str, documents: Mapping[str, Mapping[str, Any]]) -> bytes:
    """The public key of verification method ``method``, from ``did:key`` itself or a given DID document.

    A bare ``did:key`` names its only key (1EdTech's samples write it so).
    Only methods the document lists under ``assertionMethod`` count: a key the issuer published
    for another purpose does not sign credentials.
    """
    did = controller_of(method)
    if did.startswith("did:key:"):
        multikey = did.removeprefix("did:key:")
        if method not in (did, f"{did}#{multikey}"):
            raise RecordVerificationFailed(f"malformed: {method!r} is not a did:key verification method")
        return public_from_multikey(multikey)
    document = documents.get(did)
    if document is None:
        raise RecordVerificationFailed(
            f"no DID document for {did} was given; fetch it once (did:web: https://HOST/.well-known/did.json) "
            "and pass it to the verifier"
        )
    return _assertion_key(document, method)


def _assertion_key(document: Mapping[str, Any], method: str) -> bytes:
    assertion = document.get("assertionMethod")
    if not isinstance(assertion, list) or method not in assertion:
        raise RecordVerificationFailed(
            f"{method} is not an assertion method of {document.get('id')}: the issuer does not sign with it"
        )
    for entry in document.get("verificationMethod") or []:
        if isinstance(entry, dict) and entry.get("id") == method:
            multikey = entry.get("publicKeyMultibase")
            if not isinstance(multikey, str):
                break
            return public_from_multikey(multikey)
    raise RecordVerificationFailed(f"the DID document {document.get('id')} has no Multikey {method}")


def did_web_of(url: str) -> str:
    """The ``did:web`` a service at ``url`` publishes (``https://host[:port][/path]``).

    The document of ``did:web:host`` is at ``/.well-known/did.json``; with a path, at
    ``/path/did.json``: the service answers both.
    """
    scheme, _, rest = url.partition("://")
    if scheme not in ("https", "http") or not rest:
        raise BadInput(f"{url!r} is not an http(s) URL a did:web can name")
    host, _, path = rest.partition("/")
    segments = [segment for segment in path.split("/") if segment]
    return ":".join([did_web(host), *segments])
