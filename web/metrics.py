"""Prometheus metrics, computed when scraped from the database and Redis that every process shares.

Workers are separate processes (often on other machines) that come and go; a deployment runs
several web processes. Counters kept in a process would each hold a part and vanish with
it. So nothing here counts in memory: queue depths come from Redis, the grading latency
histogram, submission and delivery figures from the database (where each grade is recorded
once), and the sandbox outcomes from a Redis hash the jobs increment (``worker/outcomes.py``).
Any web process answers a scrape with the same figures. A part whose source is down is
left out and ``autograde_up`` says which.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from redis import Redis
from rq.registry import DeferredJobRegistry, FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from integrations.lti_scores import LINE
from store import Store
from worker.liveness import live_workers
from worker.outcomes import read_outcomes
from worker.queue_names import QUEUE_NAMES
from worker.queues import RQEnqueuer

log = logging.getLogger(__name__)
LATENCY_BOUNDS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
REGISTRIES = {
    "started": StartedJobRegistry,
    "scheduled": ScheduledJobRegistry,
    "deferred": DeferredJobRegistry,
    "failed": FailedJobRegistry,
}


class ServiceCollector(Collector):
    def __init__(self, store: Store, redis: Redis, prefix: str) -> None:
        self.store = store
        self.redis = redis
        self.prefix = prefix
        self.enqueuer = RQEnqueuer(redis, prefix)

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "autograde_up", "Whether a source of these metrics answered the scrape", labels=["source"]
        )
        for source, part in (("redis", self.redis_metrics), ("database", self.database_metrics)):
            metrics = self._safely(source, part)
            up.add_metric([source], 1.0 if metrics is not None else 0.0)
            yield from metrics or []
        yield up

    def redis_metrics(self) -> list[Metric]:
        depth = GaugeMetricFamily(
            "autograde_queue_jobs",
            "Jobs per queue and state (queued is the queue's depth)",
            labels=["queue", "state"],
        )
        for name in QUEUE_NAMES:
            queue = self.enqueuer.queue(name)
            depth.add_metric([name, "queued"], queue.count)
            for state, registry in REGISTRIES.items():
                depth.add_metric([name, state], registry(queue=queue).count)
        outcomes = CounterMetricFamily(
            "autograde_sandbox_outcomes", "How grading jobs ended", labels=["outcome"]
        )
        for outcome, count in read_outcomes(self.redis, self.prefix).items():
            outcomes.add_metric([outcome], count)
        workers = GaugeMetricFamily(
            "autograde_workers_alive",
            "Workers beating now, by role and Docker engine state",
            labels=["grades", "docker"],
        )
        tally: dict[tuple[str, str], int] = {}
        for info in live_workers(self.redis, self.prefix).values():
            key = (str(bool(info.get("grades"))).lower(), str(info.get("docker")).lower())
            tally[key] = tally.get(key, 0) + 1
        for labels, count in tally.items():
            workers.add_metric(list(labels), count)
        return [depth, outcomes, workers]

    def database_metrics(self) -> list[Metric]:
        histogram = self.store.grading_latency(LATENCY_BOUNDS)
        latency = HistogramMetricFamily(
            "autograde_grading_latency_seconds", "Seconds from a submission's receipt to its stored grade"
        )
        buckets = [
            (f"{bound:g}", count) for bound, count in zip(histogram.bounds, histogram.cumulative, strict=True)
        ]
        latency.add_metric([], [*buckets, ("+Inf", histogram.count)], histogram.total)
        submissions = GaugeMetricFamily(
            "autograde_submissions", "Stored submissions by status", labels=["status"]
        )
        for status, count in sorted(self.store.submission_counts().items()):
            submissions.add_metric([status], count)
        deliveries = GaugeMetricFamily(
            "autograde_deliveries", "Result deliveries by status", labels=["status"]
        )
        for status, count in sorted(self.store.delivery_counts().items()):
            deliveries.add_metric([status], int(count))
        lti = GaugeMetricFamily(
            "autograde_lti_deliveries",
            "Scores for LTI line items by status (also in autograde_deliveries)",
            labels=["status"],
        )
        for status, count in sorted(self.store.delivery_counts(LINE).items()):
            lti.add_metric([status], int(count))
        # A gauge, not a counter: a redelivery starts a dead delivery's attempts again from 0.
        retried = GaugeMetricFamily(
            "autograde_delivery_retries", "Attempts beyond the first, over stored deliveries"
        )
        retried.add_metric([], self.store.delivery_retries())
        return [latency, submissions, deliveries, lti, retried]

    @staticmethod
    def _safely(source: str, part: Callable[[], list[Metric]]) -> list[Metric] | None:
        try:
            return part()
        except Exception:
            log.warning("metrics: %s did not answer", source, exc_info=True)
            return None


def render(store: Store, redis: Redis, prefix: str) -> bytes:
    """The text exposition format of a fresh registry (no process-global state)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ServiceCollector(store, redis, prefix))
    return bytes(generate_latest(registry))
