"""What a job needs, built once per process (worker/context.py): adapters rebuilt after a fork
(a new process id) and kept otherwise, the enqueuer on the configured Redis, prefix and timeout,
the gate only for ordinary grades when yielding is on, and the installed context the one jobs get."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from service.settings import Settings
from tests.conftest import REDIS_URL
from worker import context
from worker.context import WorkerContext
from worker.yielding import Gate


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path) -> Settings:
    shutil.copyfile(migrated_template, tmp_path / "autograde.db")
    return Settings(data_dir=str(tmp_path), redis_url=REDIS_URL, queue_prefix="ctx-test", job_timeout=77)


def test_adapters_are_made_once_per_process_and_again_after_a_fork(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = WorkerContext(settings)
    store, enqueuer = ctx.store, ctx.enqueuer
    assert ctx.store is store and ctx.enqueuer is enqueuer
    monkeypatch.setattr(os, "getpid", lambda: -1)  # a forked work horse must not share pools
    assert ctx.store is not store and ctx.enqueuer is not enqueuer
    assert ctx.store is ctx.store
    store.dispose()
    ctx.store.dispose()


def test_the_store_clock_and_enqueuer_follow_the_settings(settings: Settings, redis_conn: Any) -> None:
    ctx = WorkerContext(settings)
    assert str(ctx.store.engine.url) == settings.database_url
    assert ctx.clock().tzinfo is not None  # the database's time, as an aware datetime
    enqueuer = ctx.enqueuer
    assert (enqueuer.prefix, enqueuer.job_timeout) == ("ctx-test", 77)
    enqueuer.enqueue_grading("s1")
    assert redis_conn.exists("rq:job:grade-s1") == 1  # the configured Redis database
    ctx.store.dispose()


@pytest.mark.parametrize(
    ("exam", "seconds", "gated"),
    [(False, 5.0, True), (True, 5.0, False), (False, 0.0, False), (True, 0.0, False)],
)
def test_only_an_ordinary_grade_yields_to_exams_and_only_when_configured(
    settings: Settings, exam: bool, seconds: float, gated: bool
) -> None:
    ctx = WorkerContext(settings.replace(exam_yield_seconds=seconds))
    gate = ctx.gate(exam=exam)
    assert isinstance(gate, Gate) is gated
    if gate is not None:
        assert gate.limit == seconds


def test_no_pool_is_started_when_the_settings_ask_for_none(settings: Settings) -> None:
    ctx = WorkerContext(settings.replace(warm_pool_size=0))
    assert ctx.start_pool() is None and ctx.pool is None
    ctx.stop_pool()  # nothing to stop


def test_the_installed_context_is_the_one_jobs_get(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(context, "_context", None)
    mine = WorkerContext(settings, worker_name="w1")
    context.install(mine)
    assert context.current() is mine


def test_without_one_installed_a_context_is_built_from_the_environment(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(context, "_context", None)
    monkeypatch.setenv("AUTOGRADE_QUEUE_PREFIX", "from-env")
    monkeypatch.setenv("AUTOGRADE_DATA_DIR", settings.data_dir)
    built = context.current()
    assert built.settings.queue_prefix == "from-env" and context.current() is built
