"""The database clock: the database's time on every host, measured at most every ``refresh``, never failing to answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from grader.errors import StorageError
from service.clock import DatabaseClock

HOST = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Database:
    def __init__(self, ahead: timedelta) -> None:
        self.ahead, self.asked, self.down = ahead, 0, False

    def __call__(self) -> datetime:
        self.asked += 1
        if self.down:
            raise StorageError("connection refused")
        return HOST + self.ahead


def test_a_host_ten_minutes_fast_reads_the_databases_time() -> None:
    fast_host = HOST + timedelta(minutes=10)
    clock = DatabaseClock(Database(timedelta(0)), local=lambda: fast_host, monotonic=Ticks())
    assert clock() == HOST and clock.offset == timedelta(minutes=-10)


def test_the_database_is_asked_again_only_after_refresh_seconds() -> None:
    database, ticks = Database(timedelta(seconds=5)), Ticks()
    clock = DatabaseClock(database, local=lambda: HOST, refresh=30, monotonic=ticks)
    for _ in range(3):
        assert clock() == HOST + timedelta(seconds=5)
    ticks.now = 29.9
    clock()
    assert database.asked == 1
    ticks.now = 30.0
    database.ahead = timedelta(seconds=7)
    assert clock() == HOST + timedelta(seconds=7) and database.asked == 2


def test_when_the_database_is_away_the_last_offset_stands_and_zero_before_any() -> None:
    database, ticks = Database(timedelta(seconds=5)), Ticks()
    database.down = True
    clock = DatabaseClock(database, local=lambda: HOST, refresh=30, monotonic=ticks)
    assert clock() == HOST  # no answer yet: the host's own time, never an exception
    database.down = False
    ticks.now = 30.0
    assert clock() == HOST + timedelta(seconds=5)
    database.down = True
    ticks.now = 60.0
    assert clock() == HOST + timedelta(seconds=5)


def test_the_offset_takes_the_middle_of_a_slow_answer() -> None:
    reads = iter([HOST, HOST + timedelta(seconds=2)])  # the database answered between these
    clock = DatabaseClock(lambda: HOST + timedelta(seconds=1), local=lambda: next(reads), monotonic=Ticks())
    assert clock._offset is None
    clock._measure()
    assert clock._offset == timedelta(0)
