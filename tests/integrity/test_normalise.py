"""Normalisation: what a copier changes cheaply (names, constants, comments, prints) leaves no trace."""

from __future__ import annotations

from integrity.normalise import code_tokens, prose_tokens

ORIGINAL = """def total(values, limit):
    result = 0
    for value in values:
        if value > limit:
            result += value * 2
    return result
"""
DISGUISED = """def summed(xs, cap):  # my own work
    # start from nothing
    acc = 0

    for x in xs:
        print(x)
        if x > cap:
            acc += x * 7
    print("done", acc)
    return acc
"""


def texts(source: str) -> list[str]:
    return [t.text for t in code_tokens(source)]


def test_renamed_recommented_and_printed_code_normalises_the_same() -> None:
    assert texts(DISGUISED) == texts(ORIGINAL)


def test_builtins_keywords_and_attribute_names_are_kept_learner_names_are_not() -> None:
    assert texts("xs.append(len(ys))\n") == ["V", ".", "append", "(", "len", "(", "V", ")", ")", ";"]


def test_literals_become_their_kind() -> None:
    assert texts("a = 3.5 + 'x' + f'{b}'\n")[:5] == ["V", "=", "N", "+", "S"]


def test_a_different_structure_normalises_differently() -> None:
    assert texts("while limit:\n    limit -= 1\n") != texts(ORIGINAL)


def test_tokens_keep_the_line_they_came_from() -> None:
    lines = {t.text: t.line for t in code_tokens(DISGUISED) if t.text in ("sum", "return")}
    assert lines == {"sum": 3, "return": 10}  # the loop, now a sum, on the line that started it


def test_code_the_tokenizer_refuses_is_still_split_with_names_canonical() -> None:
    tokens = texts("total = sum(values\n!ls  # a shell escape\n")
    assert tokens[:4] == ["V", "=", "sum", "("]
    assert "ls" not in tokens and "escape" not in tokens


def test_prose_is_lowercase_words_without_markup() -> None:
    assert [t.text for t in prose_tokens("**The** loop, _once_.\n- Done")] == ["the", "loop", "once", "done"]
