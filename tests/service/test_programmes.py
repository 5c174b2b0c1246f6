"""Creating a programme: nothing is stored unless the whole spec is valid UTF-8 and a programme someone could complete."""

from __future__ import annotations

import json

import pytest

from grader.errors import BadInput, Conflict, InvalidProgramme
from service.programmes import create_programme
from store import Store
from tests.records.histories import programme_data


@pytest.fixture
def store(sqlite_store: Store) -> Store:
    return sqlite_store


def test_a_valid_spec_is_stored_with_its_text(store: Store) -> None:
    text = json.dumps(programme_data())
    programme = create_programme(store, "ds.json", text.encode())
    assert programme.id == "ds-micromasters"
    assert store.get_programme("ds-micromasters") == ("Data Science MicroMasters", "ds.json", text)


def test_a_spec_that_is_not_utf8_is_refused_by_name(store: Store) -> None:
    with pytest.raises(BadInput, match="ds.json: the spec must be UTF-8"):
        create_programme(store, "ds.json", b"\xff\xfe{}")
    assert store.list_programmes() == []


def test_a_programme_nobody_could_complete_is_refused_and_nothing_is_stored(store: Store) -> None:
    spec = {**programme_data(), "electives_needed": 5}
    with pytest.raises(InvalidProgramme):
        create_programme(store, "ds.json", json.dumps(spec).encode())
    assert store.list_programmes() == []


def test_the_same_programme_twice_is_refused(store: Store) -> None:
    data = json.dumps(programme_data()).encode()
    create_programme(store, "ds.json", data)
    with pytest.raises(Conflict, match="already exists"):
        create_programme(store, "ds.json", data)
