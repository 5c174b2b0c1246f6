"""The watchdog: each worker looks after its fleet, so that no fault waits for a restart to heal.

Start-up recovery (``worker/run.py``) only runs when a worker starts. Faults happen while the
fleet keeps running, so every ``watch_interval`` one worker of the fleet (whichever takes the
lock first) also:

1. hands back to RQ the jobs of workers that stopped beating (``kill -9``, a lost machine):
   RQ's own check for abandoned jobs would wait for the job timeout, 30 minutes by default;
2. removes the sandboxes those workers left behind;
3. notices that Redis lost its data (restarted: it keeps nothing on disk) because a marker
   key is gone, and then re-enqueues everything the database says is unfinished and every
   pending result delivery;
4. every time, re-enqueues unfinished submissions that have no live job (an enqueue refused
   while Redis was briefly away), result deliveries overdue by more than a grace period,
   and the periodic exam sweep if its chain broke (a sweep that failed while the database
   was away schedules no successor).

Every step is idempotent (jobs are keyed by submission id, the store's claims are
conditional), so two workers doing it at once, or once too often, cost a little work and
never a second grade. A step that fails (the database or Docker away) is logged and tried
again on the next pass; the others still run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime, timedelta

import docker
from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from service.settings import Settings
from store.db import Store
from worker.liveness import live_workers
from worker.outcomes import count_outcome
from worker.queues import SWEEP_EVERY, RQEnqueuer
from worker.reaper import reap_orphans
from worker.recovery import reenqueue_deliveries, reenqueue_triages, reenqueue_unfinished

log = logging.getLogger(__name__)
DELIVERY_GRACE = timedelta(seconds=60)  # a delivery this late has lost its job: workers serve callbacks early


def epoch_key(prefix: str) -> str:
    return f"{prefix}:epoch"


def lock_key(prefix: str) -> str:
    return f"{prefix}:watchdog"


def mark_epoch(connection: Redis, prefix: str, worker_name: str) -> None:
    """Set by a worker that has enqueued everything unfinished: its absence means Redis was emptied."""
    connection.set(epoch_key(prefix), f"{worker_name} {datetime.now(UTC).isoformat()}")


def requeue_abandoned(connection: Redis, queues: Iterable[Queue], live: Collection[str]) -> int:
    """Hand back to RQ every started job whose worker is not alive; returns how many.

    The entry's expiry is moved to the past and RQ's own clean-up does the rest, as it would
    after the job timeout: a retry if the job has retries left, else the failed registry
    (the database reconcile enqueues that submission again).
    """
    abandoned = 0
    for queue in queues:
        registry = StartedJobRegistry(queue=queue)
        expired: dict[bytes, float] = {}
        entries: list[bytes] = connection.zrange(registry.key, 0, -1)  # type: ignore[assignment]
        for entry in entries:
            job_id = StartedJobRegistry.parse_job_id(entry.decode())
            try:
                job = Job.fetch(job_id, connection=connection)
            except NoSuchJobError:
                continue
            if job.worker_name and job.worker_name not in live:
                log.warning(
                    "job %s was abandoned by worker %s; handing it back to RQ", job_id, job.worker_name
                )
                expired[entry] = 0
        if expired:
            connection.zadd(registry.key, expired, xx=True)
            registry.cleanup()
            run_retries_now(queue, [StartedJobRegistry.parse_job_id(entry.decode()) for entry in expired])
            abandoned += len(expired)
    return abandoned


def run_retries_now(queue: Queue, job_ids: Iterable[str]) -> None:
    """Put the abandoned jobs RQ scheduled for a retry back in their queue at once.

    RQ schedules a retry at this host's ``now()`` plus the interval, and another host's
    scheduler reads that time against its own clock: from a host ten minutes fast the retry
    waited ten minutes (the many-hosts test timed out in CI on it). The back-off is for a
    fault that may still be there; a dead worker's is over once its heartbeat has lapsed.
    The retry RQ counted stays counted.
    """
    scheduled = ScheduledJobRegistry(queue=queue)  # type: ignore[no-untyped-call]
    for job_id in job_ids:
        try:
            job = Job.fetch(job_id, connection=queue.connection)
        except NoSuchJobError:
            continue
        if job.get_status(refresh=True) == JobStatus.SCHEDULED:
            scheduled.remove(job)
            queue.enqueue_job(job)


def enqueue_overdue_deliveries(store: Store, enqueuer: RQEnqueuer, now: datetime) -> int:
    """A job for each learner and assignment whose oldest pending result is overdue by the grace."""
    overdue = [key for key, due in store.pending_delivery_keys() if due < now - DELIVERY_GRACE]
    for key in overdue:
        enqueuer.enqueue_delivery(key)
    if overdue:
        log.warning("re-enqueued %d overdue result deliveries", len(overdue))
    return len(overdue)


def next_sweep(now: datetime) -> datetime:
    """The start of the next minute: the periodic sweep's job id is per minute, so this never doubles it."""
    stamp = (int(now.timestamp()) // SWEEP_EVERY + 1) * SWEEP_EVERY
    return datetime.fromtimestamp(stamp, UTC)


class Watchdog:
    """A daemon thread in each worker process running ``watch_once`` every ``watch_interval``."""

    def __init__(
        self,
        settings: Settings,
        connection: Redis,
        worker_name: str,
        docker_client: Callable[[], docker.DockerClient]
        | None,  # None: a worker without an engine reaps nothing
        on_pass: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings = settings
        self.connection = connection
        self.worker_name = worker_name
        self.docker_client = docker_client
        self.on_pass = on_pass  # the worker's own upkeep (restarting its RQ scheduler)
        self.enqueuer = RQEnqueuer(connection, settings.queue_prefix, settings.job_timeout)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-watchdog", daemon=True)

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stopped.wait(self.settings.watch_interval):
            self.tick()

    def tick(self) -> None:
        """One interval: this worker's upkeep, its own engine's orphans, and the fleet's pass if it holds the lock."""
        self._step("upkeep", self.on_pass)
        if self.docker_client is not None:
            self._step("orphaned sandboxes", self.reap_own_engine)
        try:
            mine = self.connection.set(
                lock_key(self.settings.queue_prefix),
                self.worker_name,
                nx=True,
                px=int(self.settings.watch_interval * 1000),
            )
        except Exception:
            log.warning("watchdog: Redis unreachable; trying again", exc_info=True)
            return
        if mine:
            self.watch_once()

    def reap_own_engine(self) -> int:
        """Remove the orphans on this worker's own engine, once per interval per engine.

        Every host with an engine reaps its own: the fleet's lock holder can reach only the
        engine beside it, and sandboxes a dead worker left on another host stayed. Workers
        on one host share its engine, so a short lock named by the engine's id lets one of
        them do it each interval.
        """
        assert self.docker_client is not None
        client = self.docker_client()
        engine_id = str(client.info().get("ID") or "unknown")
        prefix = self.settings.queue_prefix
        if not self.connection.set(
            f"{prefix}:reaper:{engine_id}",
            self.worker_name,
            nx=True,
            px=int(self.settings.watch_interval * 1000),
        ):
            return 0
        return reap_orphans(client, set(live_workers(self.connection, prefix)), self.settings.deployment_id)

    def watch_once(self) -> None:
        """One pass over the fleet; its own store, so it shares no connection with the jobs."""
        prefix = self.settings.queue_prefix
        store = Store.from_url(self.settings.database_url)
        try:
            live = set(live_workers(self.connection, prefix))
            self._step("abandoned jobs", lambda: self._abandoned(live))
            if not self.connection.exists(epoch_key(prefix)):
                log.warning("Redis has lost its data (restarted or flushed): re-enqueueing from the database")
                self._step("recovery", lambda: self._recover(store))
            self._step("unfinished submissions", lambda: reenqueue_unfinished(store, self.enqueuer))
            self._step(
                "overdue deliveries", lambda: enqueue_overdue_deliveries(store, self.enqueuer, store.now())
            )
            self._step(
                "periodic sweep", lambda: self.enqueuer.enqueue_sweep(next_sweep(store.now()), periodic=True)
            )
        except Exception:
            log.warning("watchdog pass failed; trying again", exc_info=True)
        finally:
            store.dispose()

    def _abandoned(self, live: Collection[str]) -> None:
        count = requeue_abandoned(self.connection, self.enqueuer.queues(), live)
        if count:
            count_outcome(self.connection, self.settings.queue_prefix, "abandoned", count)

    def _recover(self, store: Store) -> None:
        reenqueue_unfinished(store, self.enqueuer)
        reenqueue_deliveries(store, self.enqueuer)
        reenqueue_triages(store, self.enqueuer)
        mark_epoch(self.connection, self.settings.queue_prefix, self.worker_name)

    @staticmethod
    def _step(name: str, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception:
            log.warning("watchdog: %s failed; trying again next pass", name, exc_info=True)
