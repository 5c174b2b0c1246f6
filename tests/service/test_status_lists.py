"""The status list cache (service/status_lists.py): rebuilt when the store's status version moves or the list grows old, else served."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from records.issuance import Issuer
from service.status_lists import MAX_AGE, StatusListCache

NOW = datetime(2031, 1, 15, 12, tzinfo=UTC)
ISSUER = Issuer("did:key:z6Mk", "autograde", b"\x01" * 32, "https://grades.example.edu/status")


class VersionedStore:
    version = (1, 1)

    def status_version(self) -> tuple[int, int]:
        return self.version


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, datetime]]:
    made: list[tuple[str, datetime]] = []

    def build(store: Any, issuer: Issuer, purpose: str, now: datetime) -> bytes:
        made.append((purpose, now))
        return f"{purpose} {len(made)}".encode()

    monkeypatch.setattr("service.status_lists.status_list_credential", build)
    return made


def test_a_list_is_served_as_built_until_the_version_moves(builds: list[tuple[str, datetime]]) -> None:
    store, cache = VersionedStore(), StatusListCache()
    assert cache.get(store, ISSUER, "revocation", NOW) == b"revocation 1"  # type: ignore[arg-type]
    assert cache.get(store, ISSUER, "revocation", NOW + timedelta(minutes=1)) == b"revocation 1"  # type: ignore[arg-type]
    assert cache.get(store, ISSUER, "suspension", NOW) == b"suspension 2"  # type: ignore[arg-type]
    store.version = (2, 1)
    assert cache.get(store, ISSUER, "revocation", NOW) == b"revocation 3"  # type: ignore[arg-type]
    assert len(builds) == 3


def test_a_list_older_than_its_max_age_or_from_a_clock_gone_back_is_rebuilt(
    builds: list[tuple[str, datetime]],
) -> None:
    store, cache = VersionedStore(), StatusListCache()
    cache.get(store, ISSUER, "revocation", NOW)  # type: ignore[arg-type]
    cache.get(store, ISSUER, "revocation", NOW + MAX_AGE)  # type: ignore[arg-type]
    cache.get(store, ISSUER, "revocation", NOW)  # type: ignore[arg-type]
    assert [at for _, at in builds] == [NOW, NOW + MAX_AGE, NOW]


def test_another_signing_key_gets_its_own_list(builds: list[tuple[str, datetime]]) -> None:
    store, cache = VersionedStore(), StatusListCache()
    rotated = Issuer(ISSUER.did, ISSUER.name, b"\x02" * 32, ISSUER.status_url)
    assert cache.get(store, ISSUER, "revocation", NOW) != cache.get(store, rotated, "revocation", NOW)  # type: ignore[arg-type]
