"""A deadline rush through the API: a burst of submissions, none lost, no 5xx, each graded once.

Runs ``bench/rush.py`` (the service as `autograde serve`, two real workers, Redis, SQLite, Docker) with
the issue's 1,000 submissions, which two CPUs grade in about five minutes; ``python -m
bench.rush`` is the same run, and the README's figures come from it. The figures are
printed, never asserted.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.rush import report, rush
from bench.service import running
from tests.conftest import REDIS_URL

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
RUSH = 1000


def test_a_rush_of_submissions_loses_none_answers_no_5xx_and_grades_each_once(
    docker_client: Any, redis_conn: Any
) -> None:
    with running("runc", pool_size=2, workers=2, redis_url=REDIS_URL) as service:
        result = rush(service, RUSH, concurrency=16)
    print(report(result))
    assert result.server_errors == 0 and result.statuses == {"202": RUSH}, result.statuses
    assert result.not_graded_once == [], result.not_graded_once
