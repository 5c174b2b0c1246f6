"""In-memory stand-ins for the web layer's unit tests: a queue that records, a clock that obeys."""

from __future__ import annotations

from datetime import datetime, timedelta

from store import DeliveryKey


class FakeEnqueuer:
    """Records what would have gone to Redis; ``down = True`` makes it fail like a dead Redis."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.deliveries: list[tuple[DeliveryKey, datetime | None]] = []
        self.sweeps: list[datetime] = []
        self.regrades: list[tuple[str, str]] = []
        self.triages: list[str] = []
        self.similarity: list[str] = []
        self.down = False

    def enqueue_grading(self, submission_id: str, priority: str = "assignments") -> str:
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.calls.append((submission_id, priority))
        return f"grade-{submission_id}"

    def enqueue_regrade(self, run_id: str, submission_id: str) -> str:
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.regrades.append((run_id, submission_id))
        return f"regrade-{run_id}-{submission_id}"

    def enqueue_triage(self, request_id: str) -> str:
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.triages.append(request_id)
        return f"triage-{request_id}"

    def enqueue_similarity(self, submission_id: str) -> str:
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.similarity.append(submission_id)
        return f"integrity-{submission_id}"

    def enqueue_sweep(self, at: datetime, periodic: bool = False) -> str:
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sweeps.append(at)
        return f"sweep-{len(self.sweeps)}"

    def enqueue_delivery(self, key: DeliveryKey, at: datetime | None = None) -> str:
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.deliveries.append((key, at))
        return f"deliver-{len(self.deliveries)}"


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
