"""A small per-process memo for things parsed from stored text that never changes under its key.

Exams, programmes and assignments are parsed from what instructors uploaded; parsing builds
notebooks and validates schemas, and it happens on hot paths (every saved exam answer,
every grade). The key always includes the text (or its digest) the value was parsed from,
so a replaced source is a new key and a stale value can only age out, never be served.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """Least recently used first out, at most ``size`` values; safe across threads."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a memo holds at least one value")
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()  # outside the lock: a slow parse never blocks other keys (two racing make it twice)
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)


def digest(*file_sets: Mapping[str, bytes]) -> str:
    """One hash over every path and content of some file sets, in order."""
    h = hashlib.sha256()
    for files in file_sets:
        h.update(b"\x00set")
        for path in sorted(files):
            h.update(len(path).to_bytes(8, "big") + path.encode() + len(files[path]).to_bytes(8, "big"))
            h.update(files[path])
    return h.hexdigest()
