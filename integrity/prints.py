"""A submission's fingerprints per answer: what the index stores and compares.

The instructor's k-grams are dropped before winnowing, so what is left is sampled densely
from what the learner wrote; each statement's own fingerprint is added (``statement_prints``),
so a reordering costs little. The form stored (``to_dict``) is plain JSON with the answer's
text, so a pair can be shown later without reading the notebooks again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from integrity.answers import Answer, Template, tokens_of
from integrity.winnow import Print, kgram_prints, statement_prints, winnow


@dataclass(frozen=True)
class CellPrints:
    """One answer's fingerprints (in order of position) and its text."""

    kind: str
    text: str
    prints: tuple[Print, ...]
    hashes: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "hashes", frozenset(p.hash for p in self.prints)
        )  # asked for at every comparison


SubmissionPrints = Mapping[str, CellPrints]  # answer key (notebook::grade_id) -> its fingerprints


def fingerprint(answers: Iterable[Answer], template: Template) -> dict[str, CellPrints]:
    """Each answer's winnowed fingerprints, the instructor's k-grams taken out first."""
    out = {}
    for answer in answers:
        instructor = template.of(answer.kind)
        tokens = tokens_of(answer.kind, answer.text)
        grams = [g for g in kgram_prints(tokens) if g.hash not in instructor]
        statements = [s for s in statement_prints(tokens) if s.hash not in instructor]
        chosen = sorted([*winnow(grams), *statements], key=lambda p: (p.first, p.last, p.hash))
        out[answer.key] = CellPrints(answer.kind, answer.text, tuple(chosen))
    return out


def to_dict(prints: SubmissionPrints) -> dict[str, Any]:
    return {
        key: {
            "kind": cell.kind,
            "text": cell.text,
            "prints": [[p.hash, p.first, p.last] for p in cell.prints],
        }
        for key, cell in sorted(prints.items())
    }


def from_dict(data: Mapping[str, Any]) -> dict[str, CellPrints]:
    return {
        key: CellPrints(
            str(cell["kind"]),
            str(cell["text"]),
            tuple(Print(int(h), int(f), int(last)) for h, f, last in cell["prints"]),
        )
        for key, cell in data.items()
    }
