"""Answers reduced to the tokens that survive disguise: Python's tokenizer for code, words for prose.

Why: a copier renames variables, changes constants, adds comments, blank lines and prints.
So identifiers a learner chose become ``V``, numbers ``N`` and strings ``S``; keywords,
operators, builtins and attribute names (the library calls a solution is made of) stay,
since they carry the solution's shape. Comments and blank lines go, and so does every
statement that is only a ``print(...)`` call. Each token keeps its line, so a match can be
shown where it is in the learner's cell.
"""

from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize
from dataclasses import dataclass

from integrity.canonical import canonical_source

KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
DROPPED = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER})
WORD = re.compile(r"[^\W_]+", re.UNICODE)
FALLBACK = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|'[^'\n]*'|\"[^\"\n]*\"|\S")


@dataclass(frozen=True)
class Token:
    """One normalised token and the (1-based) line of the cell it came from."""

    text: str
    line: int


def code_tokens(source: str) -> list[Token]:
    """The normalised token stream of a code cell; a cell the tokenizer refuses is split plainly."""
    try:
        raw = list(tokenize.generate_tokens(io.StringIO(canonical_source(source)).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _fallback_tokens(source)
    lines: list[list[Token]] = [[]]
    after_dot = False
    for tok in raw:
        if tok.type in DROPPED:
            continue
        if tok.type == tokenize.NEWLINE:
            lines.append([])
            continue
        lines[-1].append(Token(_canonical(tok, after_dot), tok.start[0]))
        after_dot = tok.type == tokenize.OP and tok.string == "."
    tokens = [token for line in lines for token in _kept(line)]
    while tokens and tokens[-1].text == "}":  # every cell closes its blocks: that says nothing
        tokens.pop()
    return tokens


def _kept(line: list[Token]) -> list[Token]:
    """A print-only statement keeps just its block markers, so the blocks around it still close."""
    if _only_print(line):
        return [t for t in line if t.text in ("{", "}")]
    return [*line, *_end(line)]


def _canonical(tok: tokenize.TokenInfo, after_dot: bool) -> str:
    if tok.type == tokenize.NAME:
        return tok.string if after_dot or tok.string in KEPT_NAMES else "V"
    if tok.type == tokenize.NUMBER:
        return "N"
    if tok.type == tokenize.STRING or tok.type in _FSTRING_TYPES:
        return "S"
    if tok.type == tokenize.INDENT:
        return "{"
    if tok.type == tokenize.DEDENT:
        return "}"
    return tok.string


_FSTRING_TYPES = frozenset(
    getattr(tokenize, name)
    for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
    if hasattr(tokenize, name)
)


def _only_print(line: list[Token]) -> bool:
    """A statement that is nothing but a print call: what a copier adds to look different."""
    body = [t for t in line if t.text not in ("{", "}")]
    return len(body) >= 3 and body[0].text == "print" and body[1].text == "(" and body[-1].text == ")"


def _end(line: list[Token]) -> list[Token]:
    """A statement ends in ``;`` so that two statements never run together into one shape."""
    body = [t for t in line if t.text not in ("{", "}")]
    return [Token(";", body[-1].line)] if body else []


def _fallback_tokens(source: str) -> list[Token]:
    """Unfinished code (an open bracket, IPython syntax): words and symbols, names still canonical."""
    tokens = []
    for number, text in enumerate(source.splitlines(), start=1):
        if text.lstrip().startswith("#"):
            continue
        for match in FALLBACK.finditer(text.split("#", 1)[0]):
            tokens.append(Token(_fallback_canonical(match.group()), number))
    return tokens


def _fallback_canonical(text: str) -> str:
    if text[0].isdigit():
        return "N"
    if text[0] in "'\"":
        return "S"
    if text[0].isalpha() or text[0] == "_":
        return text if text in KEPT_NAMES else "V"
    return text


def prose_tokens(source: str) -> list[Token]:
    """A markdown answer as lower-case words, markup and punctuation dropped."""
    return [
        Token(match.group().casefold(), number)
        for number, text in enumerate(source.splitlines(), start=1)
        for match in WORD.finditer(text)
    ]
