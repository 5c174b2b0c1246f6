"""The figures behind /metrics, counted by the database itself on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from grader.errors import StorageError
from store import Store, SubmissionRecord

REPORT = {"score": 2.0, "max_score": 3.0, "cells": []}


def graded(store: Store, make_submission: Callable[..., SubmissionRecord], seconds_ago: float) -> str:
    record = make_submission(received_at=datetime.now(UTC) - timedelta(seconds=seconds_ago))
    store.claim_submission(record.id)
    assert store.save_grade(record.id, REPORT, "", {})
    return record.id


def test_latency_histogram_counts_receipt_to_grade_per_bound_and_leaves_out_the_unfinished(
    store: Store, make_submission: Callable[..., SubmissionRecord]
) -> None:
    graded(store, make_submission, 3)
    graded(store, make_submission, 100)
    make_submission()  # still queued: no latency yet
    histogram = store.grading_latency((1.0, 5.0, 60.0, 1000.0))
    assert histogram.cumulative == (0, 1, 1, 2)
    assert histogram.count == 2
    assert 100 < histogram.total < 110


def test_regrades_are_left_out_of_the_latency(
    store: Store, make_submission: Callable[..., SubmissionRecord]
) -> None:
    sid = graded(store, make_submission, 3)
    store.reopen_for_regrade(sid)
    store.claim_submission(sid)
    store.save_grade(sid, REPORT, "", {})
    assert store.grading_latency((10.0,)).count == 0


def test_an_empty_store_has_an_empty_histogram_and_no_retries(store: Store) -> None:
    histogram = store.grading_latency((1.0, 2.0))
    assert (histogram.cumulative, histogram.count, histogram.total) == ((0, 0), 0, 0.0)
    assert store.delivery_retries() == 0
    assert store.ping()


def test_ping_raises_storage_error_when_the_database_is_away(tmp_path) -> None:  # type: ignore[no-untyped-def]
    away = Store.from_url("postgresql+psycopg://postgres@127.0.0.1:1/none")
    with pytest.raises(StorageError):
        away.ping()
