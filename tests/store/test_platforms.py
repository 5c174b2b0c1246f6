"""Platforms: each id once, a fresh unguessable secret each, and a missing one is NotFound, not None, when asked to get."""

from __future__ import annotations

import pytest

from grader.errors import Conflict, NotFound
from store import Store


def test_a_platform_id_is_taken_once_and_the_first_keeps_its_secret(store: Store) -> None:
    first = store.create_platform("lms", "LMS", "https://lms.example/cb", ["ds101"])
    with pytest.raises(Conflict, match="'lms' already exists"):
        store.create_platform("lms", "Impostor", "https://evil.example/cb", [])
    assert store.get_platform("lms") == first and first.courses == ("ds101",)


def test_each_platform_gets_its_own_long_random_secret(store: Store) -> None:
    a, b = (store.create_platform(name, name, None, []) for name in ("a", "b"))
    assert a.secret != b.secret and len(a.secret) >= 40


def test_get_raises_and_find_returns_none_for_an_unknown_platform(store: Store) -> None:
    assert store.find_platform("nope") is None
    with pytest.raises(NotFound, match="no platform with id 'nope'"):
        store.get_platform("nope")


def test_platforms_are_listed_by_id(store: Store) -> None:
    for name in ("zeta", "alpha"):
        store.create_platform(name, name, None, [])
    assert [p.id for p in store.list_platforms()] == ["alpha", "zeta"]
