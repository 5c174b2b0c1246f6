"""The per-process memo: bounded, least recently used out, keyed by content."""

from __future__ import annotations

import threading

import pytest

from service.memo import Memo, digest


def test_a_value_is_made_once_per_key_and_the_least_recently_used_leaves_first() -> None:
    made: list[str] = []
    memo: Memo[str] = Memo(2)

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert memo.get("a", lambda: make("a")) == "A"
    assert memo.get("b", lambda: make("b")) == "B"
    assert memo.get("a", lambda: make("a")) == "A"  # a is now the most recent
    assert memo.get("c", lambda: make("c")) == "C"  # b leaves
    assert memo.get("a", lambda: make("a")) == "A"
    assert memo.get("b", lambda: make("b")) == "B"
    assert made == ["a", "b", "c", "b"] and len(memo) == 2


def test_a_failed_make_stores_nothing() -> None:
    memo: Memo[int] = Memo(4)
    with pytest.raises(ZeroDivisionError):
        memo.get("x", lambda: 1 // 0)
    assert len(memo) == 0 and memo.get("x", lambda: 7) == 7


def test_many_threads_share_it_without_growing_past_its_size() -> None:
    memo: Memo[int] = Memo(8)
    errors: list[BaseException] = []

    def hammer(offset: int) -> None:
        try:
            for n in range(500):
                key = (n + offset) % 20
                assert memo.get(key, lambda key=key: key * 2) == key * 2  # type: ignore[misc]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(memo) == 8


def test_the_digest_changes_with_any_path_or_byte_and_not_with_order() -> None:
    base = digest({"a.ipynb": b"1", "b.csv": b"2"}, {})
    assert base == digest({"b.csv": b"2", "a.ipynb": b"1"}, {})
    assert base != digest({"a.ipynb": b"1", "b.csv": b"3"}, {})
    assert base != digest({"a.ipynb": b"1", "c.csv": b"2"}, {})
    assert base != digest({"a.ipynb": b"1"}, {"b.csv": b"2"})  # a data file is not a source
    assert digest({"ab": b"c"}) != digest({"a": b"bc"})  # lengths are framed
