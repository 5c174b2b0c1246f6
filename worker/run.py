"""Starting a worker process: reap orphans, re-enqueue from the database, then serve the queues.

With a warm pool the worker does not fork per job: the pool's sandboxes are attached to
this process, and a fork per job would also cost what the pool saves. Learner code never
runs in the worker (it runs in the sandbox), so forking was never what isolated it.
"""

from __future__ import annotations

import logging
import os
import socket

from rq import SimpleWorker, Worker
from rq.worker import BaseWorker

from autograde.settings import Settings
from autograde.wiring import redis_connection
from worker import context
from worker.queues import RQEnqueuer
from worker.reaper import reap_orphans
from worker.recovery import reenqueue_unfinished

log = logging.getLogger(__name__)


def run_worker(settings: Settings, burst: bool = False, name: str | None = None) -> bool:
    settings.log_startup()
    connection = redis_connection(settings)
    name = name or f"{socket.gethostname()}-{os.getpid()}"
    ctx = context.WorkerContext(settings, worker_name=name)
    context.install(ctx)
    live = {w.name for w in Worker.all(connection=connection)}
    reap_orphans(ctx.factory.client, live)
    enqueuer = RQEnqueuer(connection, settings.queue_prefix, settings.job_timeout)
    reenqueue_unfinished(ctx.store, enqueuer)
    if ctx.start_pool() is not None:
        worker: BaseWorker = SimpleWorker(enqueuer.queues(), name=name, connection=connection)
    else:
        # Jobs run in forked work horses; close pooled connections so none is shared across a fork.
        ctx.store.engine.dispose()
        worker = Worker(enqueuer.queues(), name=name, connection=connection)
    try:
        return bool(worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level))
    finally:
        ctx.stop_pool()
