"""RDF Dataset Canonicalization (RDFC-1.0) of a JSON-LD document, with a size cap and a work budget.

pyld turns the document into an RDF dataset (contexts only from ``credentials.contexts``) and
runs URDNA2015, which RDFC-1.0 standardised unchanged (SHA-256, ``_:c14n`` labels). Some
graphs (many interchangeable blank nodes) make that algorithm take factorial time, so a
document from outside could stall a verifier: the permutations it would try are counted
before it tries them, and past ``budget`` canonicalisation stops with an error. Our own
credentials use a few dozen units.

A JSON-LD processor silently drops what no context defines (a key, or a type or id that is
only a relative IRI), and a proof does not cover what was dropped: a verifier that allowed it
would accept a signed credential with any such member added. Both are refused here instead.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from credentials.contexts import load_document
from grader.errors import RecordVerificationFailed

MAX_DOCUMENT_BYTES = 2_000_000
WORK_BUDGET = 10_000
MAX_INTERCHANGEABLE = 8  # 8! = 40,320 permutations of one group is already past any budget
UNRESOLVED_BASE = "https://relative-iri.invalid/"  # a relative IRI resolves here, then is refused
# Processed contexts, shared by every call (half the cost of a proof is processing them):
# remote ones can only be bundled ones, the loader refusing any other URL; inline ones are
# keyed by their content, and the LRU bound keeps a stream of distinct ones from growing it.
_RESOLVED: LRUCache[str, Any] = LRUCache(maxsize=256)


class CanonicalisationRefused(RecordVerificationFailed):
    """The document is too large, or too costly to canonicalise, to be checked."""

    code = "canonicalisation_refused"


def canonical_nquads(document: Mapping[str, Any], budget: int = WORK_BUDGET) -> str:
    """The canonical N-Quads of ``document``: one line per quad, sorted, each ending in a newline."""
    size = len(json.dumps(document, ensure_ascii=False).encode("utf-8"))
    if size > MAX_DOCUMENT_BYTES:
        raise CanonicalisationRefused(
            f"the document is {size} bytes, over the {MAX_DOCUMENT_BYTES} a credential may be"
        )
    options = {
        "documentLoader": load_document,
        "contextResolver": ContextResolver(_RESOLVED, load_document),
        "base": UNRESOLVED_BASE,
    }
    try:
        dataset = jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped).to_rdf(dict(document), options)
    except jsonld.JsonLdError as exc:
        raise _unwrapped(exc) from exc
    text: str = _BudgetedUrdna2015(budget).main(dataset, {"format": "application/n-quads"})
    if UNRESOLVED_BASE in text:
        relative = text[text.index(UNRESOLVED_BASE) :].split(">", 1)[0].removeprefix(UNRESOLVED_BASE)
        raise RecordVerificationFailed(
            f"malformed: {relative!r} is a type or id no context defines; a proof would not cover it"
        )
    return text


def _refuse_dropped(term: str | None) -> None:
    raise RecordVerificationFailed(
        f"malformed: the member {term!r} is defined by none of the document's contexts; a proof would not cover it"
    )


def _unwrapped(exc: BaseException) -> RecordVerificationFailed:
    """pyld wraps a loader's error in its own; the innermost of ours names the context refused."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, RecordVerificationFailed):
            return cause
        cause = cause.__cause__ or getattr(cause, "cause", None)
    return RecordVerificationFailed(f"malformed: the document is not valid JSON-LD ({exc})")


class _BudgetedUrdna2015(URDNA2015):  # type: ignore[misc]  # pyld ships no type hints
    """URDNA2015 that pays for each N-degree hash and the permutations it is about to try."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.remaining = budget

    def create_hash_to_related(self, id_: str, issuer: Any) -> dict[str, list[str]]:
        related: dict[str, list[str]] = super().create_hash_to_related(id_, issuer)
        largest = max((len(nodes) for nodes in related.values()), default=0)
        if largest > MAX_INTERCHANGEABLE:
            self.remaining = -1
        else:
            self.remaining -= 1 + sum(math.factorial(len(nodes)) for nodes in related.values())
        if self.remaining < 0:
            raise CanonicalisationRefused(
                "the document's blank nodes are too costly to canonicalise (over the work budget); refused"
            )
        return related
