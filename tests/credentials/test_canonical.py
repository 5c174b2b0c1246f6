"""Contexts are only ever the bundled ones, and canonicalisation refuses oversized or costly documents."""

from __future__ import annotations

import pytest

from credentials.canonical import MAX_DOCUMENT_BYTES, CanonicalisationRefused, canonical_nquads
from credentials.contexts import VC_V2, ContextNotAllowed
from grader.errors import RecordVerificationFailed


def test_an_unknown_context_is_refused_by_name_and_never_fetched() -> None:
    document = {"@context": [VC_V2, "https://evil.example/context.json"], "type": ["VerifiableCredential"]}
    with pytest.raises(ContextNotAllowed, match="evil.example"):
        canonical_nquads(document)


def test_an_oversized_document_is_refused_before_any_work() -> None:
    document = {"@context": [VC_V2], "name": "x" * MAX_DOCUMENT_BYTES}
    with pytest.raises(CanonicalisationRefused, match="bytes"):
        canonical_nquads(document)


def clique(size: int) -> dict[str, object]:
    """Blank nodes all linked to each other the same way: the graph that makes URDNA2015 factorial."""
    nodes = [
        {"@id": f"_:n{i}", "http://example.org/p": [{"@id": f"_:n{j}"} for j in range(size) if j != i]}
        for i in range(size)
    ]
    return {"@graph": nodes}


def test_a_blank_node_clique_is_refused_by_the_work_budget() -> None:
    with pytest.raises(CanonicalisationRefused, match="work budget"):
        canonical_nquads(clique(10))


def test_a_small_clique_is_canonicalised_within_budget() -> None:
    lines = canonical_nquads(clique(3)).splitlines()
    assert len(lines) == 6 and all(line.startswith("_:c14n") for line in lines)


def test_a_member_no_context_defines_is_refused_not_silently_dropped() -> None:
    document = {"@context": [VC_V2], "type": ["VerifiableCredential"], "grade": "A+"}
    with pytest.raises(RecordVerificationFailed, match="'grade'"):
        canonical_nquads(document)


def test_a_type_no_context_defines_is_refused() -> None:
    document = {"@context": [VC_V2], "type": ["VerifiableCredential", "DiplomaOfEverything"]}
    with pytest.raises(RecordVerificationFailed, match="DiplomaOfEverything"):
        canonical_nquads(document)
