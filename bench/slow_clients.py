"""``/healthz`` latency with no and with 100 slow clients, old serving beside new (issue 18, item 3).

    .venv/bin/python -m bench.slow_clients                       # 100 slow clients, 40 probes
    .venv/bin/python -m bench.slow_clients --clients 200 --probes 100

Each setup serves the real app (SQLite in a temporary folder) on a free port of 127.0.0.1:
``old`` is two synchronous gunicorn workers, as ``autograde serve`` ran until issue 18;
``new`` is ``autograde serve`` as it is now. Slow clients come in four kinds, a quarter each:
headers sent in part, a body sent in part, an idle keep-alive connection after one answered
request, and headers trickled one byte every half second. Printed per setup: ``/healthz``
latency (median, p95) with none and with the slow clients open, how many probes got no
answer within ``--probe-timeout``, and how many slow connections the server had closed
``--close-wait`` seconds later. Nothing is asserted: it is a measurement.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import requests

from autograde.demo import spawn
from bench.service import free_port

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("headers", "body", "idle", "trickle")
HALF_HEADERS = b"GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Slow: "
HALF_BODY = (
    b"POST /api/v1/submissions HTTP/1.1\r\nHost: bench\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000
)
FULL_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"
TRICKLE_EVERY = 0.5  # seconds between bytes: never idle for long, never done
SERVE_TIMEOUTS = {"AUTOGRADE_CLIENT_IDLE_TIMEOUT": "3", "AUTOGRADE_CLIENT_REQUEST_TIMEOUT": "6"}


class SlowClients:
    """Connections that hold a server the ways slow or hostile clients do, ``count`` in all."""

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.count = count
        self.sockets: list[tuple[str, socket.socket]] = []
        self.stop = threading.Event()
        self.trickler = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self) -> SlowClients:
        for i in range(self.count):
            kind = KINDS[i % len(KINDS)]
            conn = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            self.sockets.append((kind, conn))
            self._begin(kind, conn)
        self.trickler.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop.set()
        self.trickler.join(timeout=5)
        for _, conn in self.sockets:
            conn.close()

    @staticmethod
    def _begin(kind: str, conn: socket.socket) -> None:
        if kind in ("headers", "trickle"):
            conn.sendall(HALF_HEADERS)
        elif kind == "body":
            conn.sendall(HALF_BODY)
        else:  # idle: one whole request, its answer read (as far as one recv goes), then nothing more
            conn.sendall(FULL_REQUEST)

    def _trickle(self) -> None:
        trickling = [conn for kind, conn in self.sockets if kind == "trickle"]
        while trickling and not self.stop.wait(TRICKLE_EVERY):
            for conn in list(trickling):
                try:
                    conn.send(b"a")
                except OSError:  # the server closed it: what it should do
                    trickling.remove(conn)

    def still_open(self, within: float) -> list[str]:
        """The kinds of the connections the server has not closed ``within`` seconds from now."""
        deadline = time.monotonic() + within
        return [kind for kind, conn in self.sockets if not closed_by_server(conn, deadline)]


def closed_by_server(conn: socket.socket, deadline: float) -> bool:
    """Read (and drop) whatever the server sends until it closes the connection or the deadline passes."""
    while (left := deadline - time.monotonic()) > 0:
        conn.settimeout(left)
        try:
            if not conn.recv(65536):
                return True
        except TimeoutError:
            return False
        except OSError:  # reset by the server
            return True
    return False


def server_command(setup: str, port: int) -> list[str]:
    if setup == "old":  # issue 18's starting point: what autograde.server ran before
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--timeout",
            "120",
            "--bind",
            f"127.0.0.1:{port}",
            "web.app:create_app()",
        ]
    return [sys.executable, "-m", "autograde", "serve", "--port", str(port)]


@contextmanager
def serving(setup: str, data_dir: Path, redis_url: str) -> Iterator[int]:
    """The real app under ``setup`` ("old" or "new") on a free port; yields the port once /healthz answers."""
    env = {
        **os.environ,
        "AUTOGRADE_DATA_DIR": str(data_dir),
        "AUTOGRADE_REDIS_URL": redis_url,
        "AUTOGRADE_LOG_LEVEL": "WARNING",
        **SERVE_TIMEOUTS,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    subprocess.run([sys.executable, "-m", "autograde", "migrate"], env=env, check=True, capture_output=True)
    port = free_port()
    log = data_dir / f"{setup}-web.log"
    process = spawn(server_command(setup, port), env, log)
    try:
        wait_up(port, process, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_up(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not come up:\n{log.read_text()[-3000:]}")


def probe(port: int, probes: int, timeout: float) -> tuple[list[float], int]:
    """``/healthz`` latencies in ms, one request after another, and how many got no answer in time.

    Three unanswered in a row end the run: a starved server would otherwise take minutes.
    """
    latencies: list[float] = []
    missed = streak = 0
    for _ in range(probes):
        start = time.perf_counter()
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=timeout).raise_for_status()
        except requests.RequestException:
            missed, streak = missed + 1, streak + 1
            if streak == 3:
                break
            continue
        streak = 0
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies, missed


def summary(latencies: list[float], missed: int, timeout: float) -> str:
    if not latencies:
        return f"no answer ({missed} probes waited {timeout:g} s each)"
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
    lost = f", {missed} unanswered in {timeout:g} s" if missed else ""
    return f"median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms ({len(latencies)} answered{lost})"


def measure(setup: str, args: argparse.Namespace, redis_url: str) -> None:
    with (
        tempfile.TemporaryDirectory(prefix=f"slow-{setup}-") as tmp,
        serving(setup, Path(tmp), redis_url) as port,
    ):
        quiet = summary(*probe(port, args.probes, args.probe_timeout), args.probe_timeout)
        print(f"{setup:4} 0 slow clients:   {quiet}", flush=True)
        with SlowClients(port, args.clients) as clients:
            time.sleep(1)  # let the server take them all in
            loaded = summary(*probe(port, args.probes, args.probe_timeout), args.probe_timeout)
            print(f"{setup:4} {args.clients} slow clients: {loaded}", flush=True)
            still = clients.still_open(within=args.close_wait)
            print(
                f"{setup:4} slow connections closed by the server within {args.close_wait:g} s more: "
                f"{args.clients - len(still)} of {args.clients}",
                flush=True,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--probes", type=int, default=40)
    parser.add_argument("--probe-timeout", type=float, default=5.0)
    parser.add_argument("--close-wait", type=float, default=30.0)
    parser.add_argument("--setups", nargs="+", default=["old", "new"], choices=["old", "new"])
    args = parser.parse_args()
    redis_url = os.environ.get("AUTOGRADE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    print(
        f"slow clients: {args.clients} ({', '.join(KINDS)}; a quarter each); server timeouts {SERVE_TIMEOUTS}"
    )
    for setup in args.setups:
        measure(setup, args, redis_url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
