"""Status list positions: handed out once per credential, kept for a credential issued again."""

from __future__ import annotations

from datetime import UTC, datetime

from records.issuance import Claim
from store import Store

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def claim(credential_id: str, course: str = "ml") -> Claim:
    return Claim(credential_id, "msc", "ada", course, {"grade": 80.0, "letter": "B", "passed": True})


def with_programme(store: Store) -> Store:
    store.add_programme("msc", "MSc", "msc.json", "{}", ["ml"])
    return store


def test_each_credential_gets_its_own_position_and_keeps_it(store: Store) -> None:
    with_programme(store)
    first = store.allocate_positions([claim("urn:a"), claim("urn:b", "")], NOW)
    again = store.allocate_positions([claim("urn:b", ""), claim("urn:c")], NOW)
    assert len(set(first.values())) == 2 and again["urn:b"] == first["urn:b"]
    assert again["urn:c"] not in first.values()
    issued = store.issued_credentials()
    assert [c.credential_id for _, c in issued] == ["urn:a", "urn:b", "urn:c"]
    assert issued[0][1] == claim("urn:a") and issued[0][0] == first["urn:a"]


def test_the_status_version_moves_with_every_write_a_status_list_reads_and_only_then(store: Store) -> None:
    with_programme(store)
    empty = store.status_version()
    store.allocate_positions([claim("urn:a")], NOW)
    issued = store.status_version()
    assert issued != empty
    store.allocate_positions([claim("urn:a")], NOW)  # issued again: same position, nothing new
    store.issued_credentials()
    assert store.status_version() == issued
    store.append_record_event("msc", "ada", "freeze", {"reason": "review"}, NOW, "prof")
    assert store.status_version() not in (empty, issued)
