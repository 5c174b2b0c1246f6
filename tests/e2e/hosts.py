"""Separate hosts simulated on one machine: each process with its own host name, data directory and clock.

A host's name is its own UTS namespace (``unshare --uts``, then ``sethostname``), so code that
asks ``socket.gethostname()`` (worker names, a grade's provenance) sees that host's name. A
fast clock is libfaketime preloaded into the process: its wall clock (``time.time``,
``datetime.now``) runs ahead, and its monotonic clock is left alone, as on a real host whose
NTP is off. Nothing here is shared between hosts but the configuration the test gives them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from service.settings import Settings
from tests.e2e.faults import free_port, kill_worker, stop_worker, wait_until
from tests.e2e.services import environment_of

FAKETIME = Path(
    os.environ.get("AUTOGRADE_TEST_FAKETIME", "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
)
# Runs in the new UTS namespace: name this host, then become the command (argv[2:]).
AS_HOST = "import os, socket, sys; socket.sethostname(sys.argv[1]); os.execv(sys.executable, [sys.executable, *sys.argv[2:]])"


class Host:
    """One simulated machine running one ``autograde`` process at a time, started again as the same host."""

    def __init__(self, name: str, settings: Settings, root: Path, clock_skew: str = "") -> None:
        self.name = name
        self.settings = settings.replace(data_dir=str(root / name))
        self.log = root / f"{name}.log"
        self.clock_skew = clock_skew  # libfaketime's offset, e.g. "+10m"
        self.process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        env = environment_of(self.settings)
        if self.clock_skew:
            if not FAKETIME.exists():
                raise AssertionError(
                    f"no libfaketime at {FAKETIME}: apt-get install libfaketime (scripts/setup.sh does)"
                )
            env.update(LD_PRELOAD=str(FAKETIME), FAKETIME=self.clock_skew, FAKETIME_DONT_FAKE_MONOTONIC="1")
        return env

    def command(self, *args: str) -> list[str]:
        """``autograde ARGS`` under this host's name; without root, in a user namespace that may rename it."""
        unshare = (
            ["unshare", "--uts"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "--uts"]
        )
        return [*unshare, sys.executable, "-c", AS_HOST, self.name, "-m", "autograde", *args]

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        Path(self.settings.data_dir).mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(*args), env=self.environment(), stdout=out, stderr=subprocess.STDOUT
            )
        return self.process

    def kill(self) -> list[int]:
        """``kill -9`` the host's process and its children, by pid."""
        assert self.process is not None
        return kill_worker(self.process)

    def stop(self) -> None:
        if self.process is not None:
            stop_worker(self.process)

    def tail(self, chars: int = 3000) -> str:
        return f"--- {self.name} ---\n" + (
            self.log.read_text(errors="replace")[-chars:] if self.log.exists() else "(no log)"
        )


class WebHost(Host):
    """``autograde serve`` on its own port; up once it answers ``/healthz``."""

    def __init__(self, name: str, settings: Settings, root: Path) -> None:
        super().__init__(name, settings, root)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def serve(self) -> None:
        self.start("serve", "--port", str(self.port))

    def wait_up(self) -> None:
        try:
            wait_until(self.answers, 60, f"{self.name} to answer /healthz")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.tail()}") from None

    def answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.process.returncode}: {self.tail()}")
        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False
