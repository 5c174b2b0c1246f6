"""Peak memory, sampled from the outside while a way of grading runs.

Sandboxes: the engine's memory cgroup of every container keeps its own high-water mark
(``memory.max_usage_in_bytes`` on cgroup v1, ``memory.peak`` on v2); the sampler reads them
every few tens of milliseconds and keeps the largest. Workers: the resident set of the worker
process and all its children (RQ's forked work horses when the pool is off), summed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

CGROUP_PATTERNS = (
    "/sys/fs/cgroup/memory/docker/*/memory.max_usage_in_bytes",
    "/sys/fs/cgroup/system.slice/docker-*.scope/memory.peak",
)
PAGE = os.sysconf("SC_PAGE_SIZE")


def _read_int(path: str) -> int:
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


@dataclass(frozen=True)
class Process:
    """One live process, as ``/proc/PID/stat`` gives it."""

    name: str
    parent: int
    ticks: int  # CPU time of its own (user and system), in clock ticks
    reaped_ticks: int  # CPU time of the children it has waited for


def process_table() -> dict[int, Process]:
    """Every live process, by pid: one walk of /proc for all the figures taken at one moment."""
    table = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
            fields = text.rsplit(")", 1)[1].split()
            table[int(stat.split("/")[2])] = Process(
                text[text.index("(") + 1 : text.rindex(")")],
                int(fields[1]),
                int(fields[11]) + int(fields[12]),
                int(fields[13]) + int(fields[14]),
            )
        except (OSError, ValueError, IndexError):
            continue
    return table


def descendants(roots: Iterable[int], table: dict[int, Process]) -> set[int]:
    """``roots`` and every process below them."""
    children: dict[int, list[int]] = {}
    for pid, process in table.items():
        children.setdefault(process.parent, []).append(pid)
    found: set[int] = set()
    todo = list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, []))
    return found


def process_tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and its descendants, from /proc."""
    total = 0
    for pid in descendants([root], process_table()):
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    return total


class PeakSampler:
    """Samples in a thread until stopped; ``sandbox_mb`` and ``worker_mb`` are the peaks."""

    def __init__(self, worker_pids: list[int] | None = None, interval: float = 0.05) -> None:
        self.worker_pids = worker_pids or []
        self.interval = interval
        self.sandbox_peak = 0
        self.worker_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        tick = 0
        while not self._stop.wait(self.interval):
            for pattern in CGROUP_PATTERNS:
                for path in glob.glob(pattern):
                    self.sandbox_peak = max(self.sandbox_peak, _read_int(path))
            tick += 1
            if tick % 5 == 0:  # walking /proc costs CPU the graders would otherwise get
                for pid in self.worker_pids:
                    self.worker_peak = max(self.worker_peak, process_tree_rss(pid))

    @property
    def sandbox_mb(self) -> float | None:
        return self.sandbox_peak / 2**20 if self.sandbox_peak else None

    @property
    def worker_mb(self) -> float | None:
        return self.worker_peak / 2**20 if self.worker_peak else None
