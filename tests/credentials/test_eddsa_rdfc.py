"""The W3C eddsa-rdfc-2022 test vectors, reproduced byte for byte; tampering and wrong keys fail."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from credentials.canonical import canonical_nquads
from credentials.dids import resolve_key
from credentials.eddsa_rdfc import add_proof, hash_data, verify_proof
from credentials.multikey import private_from_multikey, public_from_multikey, public_multikey
from grader.errors import RecordVerificationFailed

VECTORS = Path(__file__).parent / "vectors" / "eddsa-rdfc-2022"


def vector(name: str) -> str:
    return (VECTORS / name).read_text(encoding="utf-8")


def signed() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(vector("signedDataInt.json"))
    return document


def unsigned() -> dict[str, Any]:
    return {name: value for name, value in signed().items() if name != "proof"}


def key_pair() -> tuple[bytes, bytes]:
    pair = json.loads(vector("keyPair.json"))
    return private_from_multikey(pair["privateKeyMultibase"]), public_from_multikey(
        pair["publicKeyMultibase"]
    )


def vector_key(method: str) -> bytes:
    assert method == signed()["proof"]["verificationMethod"]
    return key_pair()[1]


def options() -> dict[str, Any]:
    config = json.loads(vector("proofConfigDataInt.json"))
    return {name: value for name, value in config.items() if name != "@context"}


def test_key_pair_round_trips_through_multikey() -> None:
    private, public = key_pair()
    pair = json.loads(vector("keyPair.json"))
    assert public_multikey(public) == pair["publicKeyMultibase"]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    assert Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw() == public


def test_canonical_proof_configuration_is_the_vectors_byte_for_byte() -> None:
    config = json.loads(vector("proofConfigDataInt.json"))
    canonical = canonical_nquads(config)
    assert canonical == vector("proofCanonDataInt.txt")
    assert hashlib.sha256(canonical.encode()).hexdigest() == vector("proofHashDataInt.txt")


def test_hash_data_is_the_vectors_combined_hash() -> None:
    assert hash_data(unsigned(), options()).hex() == vector("combinedHashDataInt.txt")


def test_signing_the_unsigned_credential_gives_the_vectors_signed_credential() -> None:
    private, _ = key_pair()
    proof = signed()["proof"]
    ours = add_proof(unsigned(), private, proof["verificationMethod"], proof["created"])
    assert ours == signed()
    assert ours["proof"]["proofValue"] == vector("sigBTC58DataInt.txt")
    from credentials.multikey import from_multibase

    assert from_multibase(ours["proof"]["proofValue"]).hex() == vector("sigHexDataInt.txt")


def test_the_vectors_signed_credential_verifies() -> None:
    verified = verify_proof(signed(), vector_key)
    assert verified.created == "2023-02-24T23:36:38Z"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "alumniOf"), "The School of Exampler"),
        (("validFrom",), "2023-01-01T00:00:01Z"),
        (("proof", "created"), "2023-02-24T23:36:39Z"),
    ],
)
def test_a_changed_value_fails(path: tuple[str, ...], value: str) -> None:
    document = signed()
    target = document
    for name in path[:-1]:
        target = target[name]
    target[path[-1]] = value
    with pytest.raises(RecordVerificationFailed, match="does not match"):
        verify_proof(document, vector_key)


def test_one_changed_signature_character_fails() -> None:
    document = signed()
    value = document["proof"]["proofValue"]
    document["proof"]["proofValue"] = value[:-1] + ("8" if value[-1] != "8" else "9")
    with pytest.raises(RecordVerificationFailed):
        verify_proof(document, vector_key)


def test_reformatting_the_json_does_not_change_the_proof() -> None:
    reordered = json.loads(json.dumps(signed(), sort_keys=True, indent=7))
    assert verify_proof(reordered, vector_key).created == "2023-02-24T23:36:38Z"


def test_a_did_key_signature_resolves_its_key_from_the_did_itself() -> None:
    private, public = key_pair()
    method = f"did:key:{public_multikey(public)}#{public_multikey(public)}"
    secured = add_proof(unsigned(), private, method, "2024-01-01T00:00:00Z")
    assert verify_proof(secured, lambda m: resolve_key(m, {})).verification_method == method


def test_another_did_keys_method_fails() -> None:
    private, public = key_pair()
    method = f"did:key:{public_multikey(public)}#{public_multikey(public)}"
    secured = add_proof(unsigned(), private, method, "2024-01-01T00:00:00Z")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    forged = f"did:key:{public_multikey(other)}#{public_multikey(other)}"
    secured["proof"]["verificationMethod"] = forged
    with pytest.raises(RecordVerificationFailed):
        verify_proof(secured, lambda m: resolve_key(m, {}))


SAMPLE = Path(__file__).parent / "samples" / "1edtech-ob30-simple-did-key-method.json"


def test_an_open_badge_signed_by_1edtech_verifies_with_ours() -> None:
    """1EdTech's validator signs its OB 3.0 sample with its own eddsa-rdfc-2022 implementation."""
    sample = json.loads(SAMPLE.read_text())
    verified = verify_proof(sample, lambda m: resolve_key(m, {}))
    assert verified.verification_method == "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


def test_the_1edtech_sample_with_one_changed_letter_fails() -> None:
    sample = json.loads(SAMPLE.read_text())
    sample["credentialSubject"]["achievement"]["name"] = "test 2"
    with pytest.raises(RecordVerificationFailed, match="does not match"):
        verify_proof(sample, lambda m: resolve_key(m, {}))


CLR_SAMPLE = Path(__file__).parent / "samples" / "1edtech-clr20-simple.json"


def key_in_fragment(method: str) -> bytes:
    """1EdTech's CLR sample names https issuers whose key is the method's fragment (a Multikey)."""
    return public_from_multikey(method.split("#", 1)[1])


def test_a_clr_signed_by_1edtech_and_the_badge_inside_it_verify_with_ours() -> None:
    clr = json.loads(CLR_SAMPLE.read_text())
    assert verify_proof(clr, key_in_fragment).created == "2010-01-01T19:23:24Z"
    badge = clr["credentialSubject"]["verifiableCredential"][0]
    assert verify_proof(badge, key_in_fragment).created == "2024-03-21T18:13:02Z"


def test_changing_the_badge_inside_1edtechs_clr_breaks_the_clrs_proof_too() -> None:
    clr = json.loads(CLR_SAMPLE.read_text())
    clr["credentialSubject"]["verifiableCredential"][0]["name"] = "Teamwork Badge!"
    with pytest.raises(RecordVerificationFailed, match="does not match"):
        verify_proof(clr, key_in_fragment)
