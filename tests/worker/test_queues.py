"""Enqueueing by dotted path (worker/queues.py), on a real Redis: each job on its own prefixed queue,
one live job per submission, request or sweep slot, a finished one enqueued again, and unknown
queues or priorities refused before anything reaches Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from store.deliveries import DeliveryKey
from worker.queues import (
    DELIVER_JOB,
    GRADE_JOB,
    SIMILARITY_JOB,
    SWEEP_EVERY,
    SWEEP_JOB,
    TRIAGE_JOB,
    RQEnqueuer,
    job_id_for,
)

AT = datetime(2031, 1, 15, 12, 0, 30, tzinfo=UTC)


@pytest.fixture
def enqueuer(redis_conn: Any) -> RQEnqueuer:
    return RQEnqueuer(redis_conn, "queues-test")


def waiting(enqueuer: RQEnqueuer, name: str) -> list[tuple[str, str, tuple[Any, ...]]]:
    return [(job.id, job.func_name, job.args) for job in enqueuer.queue(name).get_jobs()]


def scheduled(enqueuer: RQEnqueuer, name: str) -> list[str]:
    queue = enqueuer.queue(name)
    return ScheduledJobRegistry(queue=queue).get_job_ids()


def test_a_submission_is_graded_once_while_its_job_lives_and_again_after(enqueuer: RQEnqueuer) -> None:
    assert enqueuer.enqueue_grading("s1", "exams") == job_id_for("s1")
    assert enqueuer.enqueue_grading("s1", "assignments") == job_id_for("s1")  # still queued: nothing added
    assert waiting(enqueuer, "exams") == [(job_id_for("s1"), GRADE_JOB, ("s1",))]
    assert waiting(enqueuer, "assignments") == []
    assert enqueuer.queue("exams").name == "queues-test-exams"
    Job.fetch(job_id_for("s1"), connection=enqueuer.connection).delete()
    assert not enqueuer.is_live(job_id_for("s1"))
    enqueuer.enqueue_grading("s1", "regrades")
    assert waiting(enqueuer, "regrades") == [(job_id_for("s1"), GRADE_JOB, ("s1",))]


@pytest.mark.parametrize("priority", ["callbacks", "integrity", "EXAMS", "", "../exams"])
def test_an_unknown_grading_priority_is_refused_and_nothing_is_queued(
    enqueuer: RQEnqueuer, priority: str
) -> None:
    with pytest.raises(ValueError, match="priority"):
        enqueuer.enqueue_grading("s1", priority)
    assert not enqueuer.is_live(job_id_for("s1"))


@pytest.mark.parametrize("name", ["default", "", "queues-test-exams", "exams "])
def test_an_unknown_queue_is_refused(enqueuer: RQEnqueuer, name: str) -> None:
    with pytest.raises(ValueError, match="unknown queue"):
        enqueuer.queue(name)


def test_a_triage_and_a_similarity_check_are_queued_once_each_while_live(enqueuer: RQEnqueuer) -> None:
    assert enqueuer.enqueue_triage("r1") == enqueuer.enqueue_triage("r1") == "triage-r1"
    assert waiting(enqueuer, "regrades") == [("triage-r1", TRIAGE_JOB, ("r1",))]
    assert enqueuer.enqueue_similarity("s1") == enqueuer.enqueue_similarity("s1") == "integrity-s1"
    assert waiting(enqueuer, "integrity") == [("integrity-s1", SIMILARITY_JOB, ("s1",))]


def test_a_delivery_goes_to_the_callbacks_queue_now_or_scheduled(enqueuer: RQEnqueuer) -> None:
    key = DeliveryKey("lti:lms", "a1", "alice")
    now_id = enqueuer.enqueue_delivery(key)
    later_id = enqueuer.enqueue_delivery(key, AT)
    assert waiting(enqueuer, "callbacks") == [(now_id, DELIVER_JOB, ("lti:lms", "a1", "alice"))]
    assert scheduled(enqueuer, "callbacks") == [later_id]


def test_sweeps_are_scheduled_once_per_slot_on_the_exams_queue(enqueuer: RQEnqueuer) -> None:
    at_deadline = enqueuer.enqueue_sweep(AT)
    assert enqueuer.enqueue_sweep(AT) == at_deadline
    assert enqueuer.enqueue_sweep(AT + timedelta(seconds=1)) != at_deadline  # another attempt's deadline
    periodic = enqueuer.enqueue_sweep(AT, periodic=True)
    assert enqueuer.enqueue_sweep(AT + timedelta(seconds=10), periodic=True) == periodic  # the same minute
    assert enqueuer.enqueue_sweep(AT + timedelta(seconds=SWEEP_EVERY), periodic=True) != periodic
    assert len(scheduled(enqueuer, "exams")) == 4
    job = Job.fetch(periodic, connection=enqueuer.connection)
    assert (job.func_name, job.kwargs) == (SWEEP_JOB, {"periodic": True})
    assert periodic.startswith("queues-test-sweep-every-")


def test_two_deployments_prefixes_never_share_a_queue_or_a_sweep(redis_conn: Any) -> None:
    ours, theirs = RQEnqueuer(redis_conn, "ours"), RQEnqueuer(redis_conn, "theirs")
    assert ours.enqueue_sweep(AT, periodic=True) != theirs.enqueue_sweep(AT, periodic=True)
    ours.enqueue_grading("s1")
    assert theirs.queue("assignments").count == 0 and ours.queue("assignments").count == 1
