"""Two submissions compared: a score per kind of answer, and the matching spans to show a person.

The score of a kind (code, markdown) is a weighted Jaccard index over all answers of that
kind: the weight of the fingerprints both hold over the weight of those either holds, each
fingerprint weighed by how common it is in the cohort (``integrity.cohort``). It is 0 when
they share nothing and 1 when every fingerprint either holds is held by both. The pair's
score is the higher of the two, markdown counting only once there is enough of it
(``MIN_TEXT_WEIGHT``) for a match not to be a stock phrase. Scores are rounded to 4
places, so the same input gives the same report byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from integrity.answers import CODE, TEXT
from integrity.cohort import Cohort
from integrity.prints import CellPrints, SubmissionPrints
from integrity.winnow import Print

FLAG_AT = 0.35  # a pair at or above this is listed for review first (docs/integrity.md says why)
MIN_TEXT_WEIGHT = 5.0  # fingerprints of markdown (about two sentences) before prose can flag a pair


@dataclass(frozen=True)
class Span:
    """Lines ``a_first..a_last`` of one answer match lines ``b_first..b_last`` of the other's."""

    a_first: int
    a_last: int
    b_first: int
    b_last: int


@dataclass(frozen=True)
class CellMatch:
    key: str
    kind: str
    score: float
    shared: float
    union: float
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class PairReport:
    score: float
    code_score: float
    text_score: float
    cells: tuple[CellMatch, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare(a: SubmissionPrints, b: SubmissionPrints, cohort: Cohort) -> PairReport:
    """The pair's report: answers compared key by key, only keys both answered."""
    cells = tuple(
        _cell(key, a[key], b[key], cohort)
        for key in sorted(a.keys() & b.keys())
        if a[key].kind == b[key].kind
    )
    code, text = _pooled(c for c in cells if c.kind == CODE), _pooled(c for c in cells if c.kind == TEXT)
    text_weight = sum(c.union for c in cells if c.kind == TEXT)
    score = max(code, text) if text_weight >= MIN_TEXT_WEIGHT else code
    return PairReport(round(score, 4), round(code, 4), round(text, 4), cells)


def _cell(key: str, a: CellPrints, b: CellPrints, cohort: Cohort) -> CellMatch:
    ha, hb = a.hashes, b.hashes
    shared = sum(cohort.weight(key, h) for h in ha & hb)
    union = sum(cohort.weight(key, h) for h in ha | hb)
    score = shared / union if union else 0.0
    counted = {h for h in ha & hb if cohort.weight(key, h) > 0}
    return CellMatch(
        key, a.kind, round(score, 4), round(shared, 4), round(union, 4), spans(a.prints, b.prints, counted)
    )


def _pooled(cells: Iterable[CellMatch]) -> float:
    shared = union = 0.0
    for cell in cells:
        shared, union = shared + cell.shared, union + cell.union
    return shared / union if union else 0.0


def spans(a: tuple[Print, ...], b: tuple[Print, ...], counted: set[int]) -> tuple[Span, ...]:
    """Matching fingerprints paired (each hash's first place in each), merged where both sides run on."""
    first_in_b: dict[int, Print] = {}
    for p in b:
        first_in_b.setdefault(p.hash, p)
    seen: set[int] = set()
    merged: list[Span] = []
    for p in a:
        if p.hash not in counted or p.hash in seen:
            continue
        seen.add(p.hash)
        q = first_in_b[p.hash]
        last = merged[-1] if merged else None
        if last and p.first <= last.a_last + 1 and last.b_first - 1 <= q.first <= last.b_last + 1:
            merged[-1] = Span(
                last.a_first, max(last.a_last, p.last), min(last.b_first, q.first), max(last.b_last, q.last)
            )
        else:
            merged.append(Span(p.first, p.last, q.first, q.last))
    return tuple(merged)
