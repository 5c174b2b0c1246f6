"""Winnowing: the k-grams of a token stream, hashed, and the minimum of every window kept.

Why winnowing (Schleimer, Wilkerson and Aiken, 2003): any match of at least
``K + WINDOW - 1`` tokens is sure to share a fingerprint, a match shorter than ``K`` never
counts (noise), and a cell keeps about ``2 / (WINDOW + 1)`` of its k-grams, so the index
stays small. Hashes are BLAKE2b, never Python's ``hash``: the same answer must give the same
fingerprints in every process and on every run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from integrity.normalise import Token

K = 6  # tokens in a k-gram: shorter runs of canonical tokens recur by chance
WINDOW = 4  # k-grams in a window: a match of K + WINDOW - 1 = 9 tokens always shows
MIN_STATEMENT = 5  # tokens (its ";" not counted) for a statement to count on its own
SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Print:
    """One fingerprint: a k-gram's hash and the lines of the cell it spans."""

    hash: int
    first: int
    last: int


def kgram_prints(tokens: Sequence[Token], k: int = K) -> list[Print]:
    """Every k-gram's fingerprint, in order; a stream shorter than ``k`` is one gram of itself."""
    if not tokens:
        return []
    size = min(k, len(tokens))
    return [_print(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


def statement_prints(tokens: Sequence[Token], shortest: int = MIN_STATEMENT) -> list[Print]:
    """One fingerprint per statement of at least ``shortest`` tokens, wherever it stands.

    Why: reordering independent statements breaks the k-grams that cross them, not the
    statements; these keep a reordered copy close to its original.
    """
    prints: list[Print] = []
    current: list[Token] = []
    for token in tokens:
        if token.text in ("{", "}"):
            continue
        current.append(token)
        if token.text == ";":
            if len(current) > shortest:
                prints.append(_print(current, salt="statement"))
            current = []
    return prints


def winnow(grams: Sequence[Print], window: int = WINDOW) -> list[Print]:
    """The rightmost minimal hash of every window, each position once, in order."""
    if len(grams) <= window:
        return [min(reversed(grams), key=lambda p: p.hash)] if grams else []
    chosen: list[int] = []
    for start in range(len(grams) - window + 1):
        best = start
        for index in range(start + 1, start + window):
            if grams[index].hash <= grams[best].hash:
                best = index
        if not chosen or chosen[-1] != best:
            chosen.append(best)
    return [grams[i] for i in chosen]


def _print(gram: Sequence[Token], salt: str = "") -> Print:
    text = SEPARATOR.join([salt, *(t.text for t in gram)])
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return Print(int.from_bytes(digest, "big") >> 1, gram[0].line, gram[-1].line)
