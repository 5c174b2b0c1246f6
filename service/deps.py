"""What a use case may reach: the settings, the store, the queue and the clock, and nothing else.

The web tier's ``Handles`` and the worker's context both satisfy this; a use case that takes
``Deps`` cannot reach Flask's request, RQ's job or a Docker client, so it runs the same in
a request, a job and a test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from service.queue import Enqueuer
from service.settings import Settings
from store import Store


class Deps(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def enqueuer(self) -> Enqueuer: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...
