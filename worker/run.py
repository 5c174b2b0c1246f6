"""Starting a worker process: reap orphans, re-enqueue from the database, then serve the queues.

A worker serves every queue (exams, result callbacks, assignments, regrades, in that order)
unless it is given some: ``--queues exams`` makes an exam lane, a worker that never holds an
assignment job; ``--queues callbacks`` a delivery worker, which starts no sandboxes. An exam
arriving while every worker is mid-way through an assignment grade waits for one of them;
a lane removes that wait. Measured on two CPUs behind a backlog of 500 (README, Benchmarks),
the lane did not lower the exam's latency: CPU and Docker-engine contention dominated.

With a warm pool the worker does not fork per job: the pool's sandboxes are attached to
this process, and a fork per job would also cost what the pool saves. Learner code never
runs in the worker (it runs in the sandbox), so forking was never what isolated it.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Sequence
from datetime import timedelta

from redis import Redis
from redis import exceptions as redis_errors
from rq.scheduler import RQScheduler
from rq.worker import BaseWorker

from grader.errors import BadInput
from grader.warmup import warm_up
from service.attempts import reconcile_graded_attempts
from service.settings import Settings
from worker import context
from worker.liveness import Heartbeat, live_workers
from worker.pool_worker import PoolWorker
from worker.prompt_stop import ForkingWorker
from worker.queue_names import CALLBACKS, PRIORITIES, QUEUE_NAMES
from worker.queues import RQEnqueuer
from worker.reaper import reap_orphans
from worker.recovery import recover
from worker.watchdog import Watchdog, mark_epoch
from worker.wiring import redis_connection

log = logging.getLogger(__name__)
REDIS_WAIT = 1.0  # seconds between pings while Redis is away
POOL_STATUS_TTL = 86400  # a worker killed outright leaves its last status for a day at most


def default_worker_name() -> str:
    """Host, process and a random part: unique per start.

    ``hostname-pid`` alone repeats when a container is recreated (same host name, pid 1),
    and RQ refuses a name that is still registered: after a ``kill -9`` the new worker
    stayed down until the old registration expired (31 minutes, seen on a test host).
    """
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def run_worker(
    settings: Settings,
    burst: bool = False,
    name: str | None = None,
    queues: Sequence[str] | None = None,
    nice: int = 0,
) -> bool:
    settings.log_startup()
    lower_priority(nice)
    connection = redis_connection(settings, blocking=True)  # RQ's own loop
    beats = redis_connection(settings)  # heartbeat and watchdog: short commands, short timeouts
    name = name or default_worker_name()
    ctx = context.WorkerContext(settings, worker_name=name)
    context.install(ctx)
    # Started beside a web that has not migrated yet (the demo, compose), the worker met "no such
    # table" at its first query and exited. Migrating is safe from several processes at once and
    # returns at once at the head revision, so the worker brings the schema up as the web does.
    ctx.store.migrate()
    grades = queues is None or any(name in PRIORITIES for name in queues)
    if grades:  # before it registers: a worker on another environment would grade unlike its peers
        environment = ctx.factory.verifier.check_image(ctx.factory.client, settings.sandbox_image)
        log.info("worker %s: sandbox image %s, environment %s", name, settings.sandbox_image, environment)
    heartbeat = Heartbeat(
        beats, settings.queue_prefix, name, settings.worker_ttl, describe=lambda: describe(ctx, grades)
    ).start()
    if grades:  # a worker that only delivers results starts no sandbox and may have no engine
        reap_orphans(
            ctx.factory.client, set(live_workers(beats, settings.queue_prefix)), settings.deployment_id
        )
    enqueuer = RQEnqueuer(connection, settings.queue_prefix, settings.job_timeout)
    served = [enqueuer.queue(name) for name in QUEUE_NAMES if queues is None or name in queues]
    recover(ctx.store, enqueuer)
    reconcile_graded_attempts(ctx.store, ctx.clock())
    enqueuer.enqueue_sweep(ctx.clock() + timedelta(seconds=1), periodic=True)
    mark_epoch(connection, settings.queue_prefix, name)
    warm_up()  # before the first job, not during it (inherited by forked work horses too)
    status_key = pool_status_key(settings.queue_prefix, name)
    exam_lane = queues is not None and set(queues) == {PRIORITIES[0]}
    pool = None
    if grades:  # a worker that only delivers results needs no sandbox
        pool = ctx.start_pool(lambda status: publish(beats, status_key, status), exam_lane=exam_lane)
    if pool is not None:
        urgent = [enqueuer.queue(PRIORITIES[0]), enqueuer.queue(CALLBACKS)]
        worker: BaseWorker = PoolWorker(
            served, name=name, connection=connection, pool=pool, urgent_queues=urgent
        )
    else:
        # Jobs run in forked work horses; close pooled connections so none is shared across a fork.
        ctx.store.engine.dispose()
        worker = ForkingWorker(served, name=name, connection=connection)
    engine = (lambda: ctx.factory.client) if grades else None
    watchdog = Watchdog(settings, beats, name, engine, on_pass=lambda: keep_scheduler(worker)).start()
    try:
        return serve(worker, burst, settings.log_level)
    finally:
        watchdog.stop()
        stop_scheduler(worker)
        heartbeat.stop()
        ctx.stop_pool()
        connection.delete(status_key)


def serve(worker: BaseWorker, burst: bool, log_level: str) -> bool:
    """RQ's loop, and again after Redis went away.

    RQ retries a lost connection only while it waits in its blocking pop; anywhere else
    (marking itself idle, finishing a job) the error ends ``work()`` and would end the
    process. Nothing in the process is broken (its warm pool, heartbeat and watchdog carry
    on), so it waits for Redis and serves again; the watchdog re-enqueues what Redis lost.
    """
    while True:
        try:
            return bool(worker.work(burst=burst, with_scheduler=True, logging_level=log_level))
        except (redis_errors.ConnectionError, redis_errors.TimeoutError):
            log.warning(
                "worker %s: Redis went away; serving again once it answers", worker.name, exc_info=True
            )
        while True:
            try:
                worker.connection.ping()
                break
            except (redis_errors.ConnectionError, redis_errors.TimeoutError):
                time.sleep(REDIS_WAIT)
        worker.connection.delete(worker.key)  # its registration from before, if this Redis kept it


def describe(ctx: context.WorkerContext, grades: bool) -> dict[str, object]:
    """What the heartbeat says: whether this worker grades and, if so, whether its engine answers."""
    if not grades:
        return {"grades": False, "docker": None}
    try:
        ctx.factory.client.ping()
        return {"grades": True, "docker": True}
    except Exception:
        return {"grades": True, "docker": False}


def keep_scheduler(worker: BaseWorker) -> None:
    """Restart RQ's scheduler process if it died (it exits when Redis goes away).

    RQ checks this itself only between jobs, every ten minutes; retries after a fault are
    scheduled jobs, so a dead scheduler would hold them back that long.
    """
    scheduler = worker.scheduler
    if worker._stop_requested or getattr(worker, "_shutdown_requested_date", None) is not None:
        return  # shutting down (busy or idle): RQ's teardown stops the scheduler, and must not find a new one
    if scheduler is not None and not scheduler_running(scheduler):
        scheduler.acquire_locks(auto_start=True)  # type: ignore[no-untyped-call]


def stop_scheduler(worker: BaseWorker) -> None:
    """Once the watchdog has stopped: end RQ's scheduler process if one is still running.

    RQ stops it in its teardown, but a watchdog pass between that teardown and the
    watchdog's own stop could have started a new one, and an orphaned scheduler holds its
    queues' scheduler locks in Redis for as long as it lives.
    """
    scheduler = worker.scheduler
    if scheduler is not None and scheduler_running(scheduler):
        worker.stop_scheduler()  # type: ignore[no-untyped-call]


def scheduler_running(scheduler: RQScheduler) -> bool:
    """Whether this worker's RQ scheduler process exists and is alive."""
    return scheduler._process is not None and scheduler._process.is_alive()


def lower_priority(nice: int) -> None:
    """``--nice``: general workers next to an exam lane give way to it on a busy machine.

    Measured behind a backlog of 500 on two CPUs: an exam lane whose neighbours run at the
    same priority was slower than no lane at all, because the exam's own work (not its
    sandbox, which has the CPU weight of an exam) shared the CPUs with two busy graders.
    Any process may lower its own priority; raising it (a negative value) needs root.
    """
    if nice == 0:
        return
    try:
        os.nice(nice)
    except PermissionError:
        raise BadInput(
            f"--nice {nice}: raising a worker's priority needs root; lower the others instead"
        ) from None


def pool_status_key(prefix: str, worker_name: str) -> str:
    return f"{prefix}:pool:{worker_name}"


def publish(connection: Redis, key: str, status: dict[str, int]) -> None:
    """The pool's counts in Redis, for operators (and the benchmark, to know it is full)."""
    connection.hset(key, mapping={name: value for name, value in status.items()})
    connection.expire(key, POOL_STATUS_TTL)
