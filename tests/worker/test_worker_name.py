"""A worker's default name is new at every start, so a recreated container is never refused by RQ."""

from __future__ import annotations

import os
import socket

from worker.run import default_worker_name


def test_two_starts_on_one_host_and_pid_get_different_names() -> None:
    names = {default_worker_name() for _ in range(50)}
    assert len(names) == 50
    assert all(name.startswith(f"{socket.gethostname()}-{os.getpid()}-") for name in names)
