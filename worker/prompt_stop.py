"""RQ workers that stop when asked, not up to a minute later.

RQ listens for its commands (``rq.command``) on a pub/sub thread that waits in
``get_message`` for up to 60 seconds at a time, and its shutdown joins that thread. In the
redis-py we run (8.x) that join has no bound: a worker whose thread had already seen its
own unsubscribe confirmation waited out the whole minute with nothing to do (seen as a
``--burst`` run or a SIGTERM taking 61 s to exit, and a CI test timing out). The thread
here waits a second at a time, so stopping takes at most that; checking a flag once a
second costs nothing measurable.
"""

from __future__ import annotations

from rq import SimpleWorker, Worker
from rq.worker import BaseWorker

PUBSUB_WAIT = 1.0  # seconds the command thread waits per round: the longest a stop can take because of it


class PromptStop(BaseWorker):
    """Mixed in before an RQ worker class: the same ``subscribe``, with a short wait per round."""

    def subscribe(self) -> None:
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=PUBSUB_WAIT, daemon=True, exception_handler=self._pubsub_exception_handler
        )


class ForkingWorker(PromptStop, Worker):
    """RQ's forking worker (a work horse per job), stopping promptly."""


class InProcessWorker(PromptStop, SimpleWorker):
    """RQ's worker that runs jobs in its own process, stopping promptly."""
