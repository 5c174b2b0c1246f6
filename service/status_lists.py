"""The published status lists, built and signed once per change instead of once per request.

Building a list reads every issued credential and recomputes each learner's record from its
history (``service.credentials.status_list_credential``): fine once, too much for every
verifier's GET. So the built, signed list is kept, with the ``status_version`` of the store it
was built from: the newest history event and the newest position. Every write that can change
a status (a grade, a proctoring decision, an override or a freeze appended to a history, a
credential issued) moves that version, in this process or any other, so the next GET rebuilds
and a GET between writes costs two index look-ups.

Two things no version shows: a history edited in place outside the service (which suspends
its credentials), and, on PostgreSQL, a write whose id was taken before a later one's but
committed after the list was built from the later one. A list is therefore rebuilt at least
every ``MAX_AGE``, the Bitstring Status List's default ``ttl``, which verifiers may cache it
for anyway.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from records.issuance import Issuer
from service.credentials import status_list_credential
from store import Store

MAX_AGE = timedelta(minutes=5)


@dataclass(frozen=True)
class Built:
    version: tuple[int, int]
    built_at: datetime
    data: bytes


class StatusListCache:
    """The signed list of each purpose and issuer, as last built; safe across threads."""

    def __init__(self, max_age: timedelta = MAX_AGE) -> None:
        self.max_age = max_age
        self._built: dict[tuple[str, Issuer], Built] = {}
        self._lock = threading.Lock()

    def get(self, store: Store, issuer: Issuer, purpose: str, now: datetime) -> bytes:
        """The signed ``BitstringStatusListCredential`` of ``purpose``, rebuilt only if something changed."""
        version = store.status_version()  # read before building: a write during the build is seen next time
        key = (purpose, issuer)
        with self._lock:
            built = self._built.get(key)
        if (
            built is not None
            and built.version == version
            and built.built_at <= now < built.built_at + self.max_age
        ):
            return built.data
        data = status_list_credential(store, issuer, purpose, now)
        with self._lock:
            self._built[key] = Built(version, now, data)
        return data

    def clear(self) -> None:
        with self._lock:
            self._built.clear()
