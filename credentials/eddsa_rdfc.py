"""The ``eddsa-rdfc-2022`` Data Integrity cryptosuite (W3C vc-di-eddsa): Ed25519 over RDFC-1.0 hashes.

The signature covers SHA-256 of the canonical proof options (the proof without its value,
under the document's ``@context``) followed by SHA-256 of the canonical document without its
proof; the value is multibase base58btc. Because the hashes are of the RDF graph, not the
JSON text, a re-indented or re-ordered file still verifies, and any change of meaning fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from credentials.canonical import canonical_nquads
from credentials.multikey import from_multibase, multibase
from grader.errors import RecordVerificationFailed

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PURPOSE = "assertionMethod"
SIGNATURE_BYTES = 64


@dataclass(frozen=True)
class VerifiedProof:
    verification_method: str
    created: str


def proof_options(method: str, created: str) -> dict[str, Any]:
    return {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": method,
        "proofPurpose": PURPOSE,
    }


def hash_data(unsecured: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """SHA-256 of the canonical proof options, then SHA-256 of the canonical document: 64 bytes."""
    config = {**options, "@context": unsecured["@context"]}
    proof_hash = hashlib.sha256(canonical_nquads(config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonical_nquads(unsecured).encode("utf-8")).digest()
    return proof_hash + document_hash


def add_proof(unsecured: Mapping[str, Any], private: bytes, method: str, created: str) -> dict[str, Any]:
    """A copy of ``unsecured`` with a proof by ``private`` (raw Ed25519), named ``method``, at ``created``."""
    if "proof" in unsecured:
        raise RecordVerificationFailed("the document already has a proof")
    options = proof_options(method, created)
    signature = Ed25519PrivateKey.from_private_bytes(private).sign(hash_data(unsecured, options))
    return {**unsecured, "proof": {**options, "proofValue": multibase(signature)}}


def verify_proof(secured: Mapping[str, Any], key_for: Callable[[str], bytes]) -> VerifiedProof:
    """Returns the proof's method and time if it is a valid eddsa-rdfc-2022 proof; raises otherwise.

    ``key_for`` maps a verification method id to its raw public key (``credentials.dids``),
    raising when the method is not trusted.
    """
    proof = _single_proof(secured)
    unsecured = {name: value for name, value in secured.items() if name != "proof"}
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    signature = from_multibase(proof["proofValue"])
    if len(signature) != SIGNATURE_BYTES:
        raise RecordVerificationFailed(f"malformed: an Ed25519 signature is 64 bytes, not {len(signature)}")
    public = key_for(proof["verificationMethod"])
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, hash_data(unsecured, options))
    except (InvalidSignature, ValueError) as exc:
        raise RecordVerificationFailed(
            f"the {CRYPTOSUITE} proof by {proof['verificationMethod']} does not match: "
            "the credential was changed after signing, or the key is wrong"
        ) from exc
    return VerifiedProof(proof["verificationMethod"], proof["created"])


def _single_proof(secured: Mapping[str, Any]) -> dict[str, Any]:
    """The one proof, alone or as a list of one (1EdTech's samples write a list)."""
    proof = secured.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise RecordVerificationFailed("malformed: expected one proof object")
    if not isinstance(secured.get("@context"), list):
        raise RecordVerificationFailed("malformed: the credential has no @context list")
    expected = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "proofPurpose": PURPOSE}
    for name, value in expected.items():
        if proof.get(name) != value:
            raise RecordVerificationFailed(
                f"malformed: the proof's {name} is {proof.get(name)!r}, not {value}"
            )
    for name in ("verificationMethod", "created", "proofValue"):
        if not isinstance(proof.get(name), str):
            raise RecordVerificationFailed(f"malformed: the proof has no {name}")
    return proof
