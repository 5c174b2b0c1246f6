"""The Docker sandbox: one hardened container per submission, implementing ``grader.Session``.

The worker creates the container, attaches to its stdin and stdout before starting it (so
nothing is missed), waits for the agent's ready line, then sends one request per cell.
Every exit path removes the container. A sandbox is never reused: ``open()`` always creates
a new one (``sandboxes.pool`` only starts them earlier). A sandbox with a ``disposer`` hands
its container over for removal in the background instead of removing it inline, so a grade
is stored without waiting for the engine to tear a container down.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import docker
from docker.errors import DockerException, NotFound

from grader.errors import SandboxError
from grader.execution import CellRun
from grader.judging import JUDGED, Judging
from sandboxes.agent import sealing
from sandboxes.image_check import ImageVerifier
from sandboxes.limits import SandboxLimits
from sandboxes.stream import AttachStream, StreamClosed

LABEL = "autograde.sandbox"
WORKER_LABEL = "autograde.worker"
FLEET_LABEL = "autograde.fleet"  # the deployment (AUTOGRADE_DEPLOYMENT_ID) a sandbox belongs to; reaping stays inside it
GRADING_SHARES = 1024  # Docker's default CPU weight
PRIORITY_SHARES = 4096  # an exam's sandbox outweighs assignment grading four to one
WARMING_SHARES = 128  # a sandbox warming up in the pool yields to any grading
REPLY_SLACK = 20.0  # interrupt grace plus a kernel restart, beyond the cell's own limit
MAX_RESPAWNS = 2  # fresh containers after out-of-memory kills, per submission
STOP_WAIT = 15.0  # seconds for a stopping engine to finish stopping a container (docker stop waits 10)
STOPPED_FROM_OUTSIDE = (128 + 15, 128 + 9)  # the init's exit code after SIGTERM or SIGKILL
log = logging.getLogger(__name__)


class DockerSandboxFactory:
    """Opens sandboxes on one Docker engine with one set of limits."""

    def __init__(
        self,
        client: docker.DockerClient,
        limits: SandboxLimits,
        worker: str = "cli",
        fleet: str = "",
        verifier: ImageVerifier | None = None,
    ) -> None:
        self.client = client
        self.limits = limits
        self.worker = worker
        self.fleet = fleet
        # every sandbox's image is checked against this checkout's environment digest
        self.verifier = verifier or ImageVerifier()

    def labels(self) -> dict[str, str]:
        """What marks this factory's sandboxes on an engine other deployments may share: the reaper selects by them."""
        return {LABEL: "1", WORKER_LABEL: self.worker, **({FLEET_LABEL: self.fleet} if self.fleet else {})}

    def with_runtime(self, runtime: str) -> DockerSandboxFactory:
        """The same engine, worker and deployment, on another runtime (an assignment that asks for gVisor)."""
        return DockerSandboxFactory(
            self.client, replace(self.limits, runtime=runtime), self.worker, self.fleet, self.verifier
        )

    def open(
        self, labels: Mapping[str, str] | None = None, priority: bool = False, cpu_shares: int | None = None
    ) -> DockerSandbox:
        """A new sandbox; ``cpu_shares`` weights it against others (the pool warms at a low one)."""
        sandbox = DockerSandbox(self.client, self.limits, {**(labels or {}), **self.labels()})  # ours win
        sandbox.verifier = self.verifier
        sandbox.cpu_shares = cpu_shares if cpu_shares is not None else shares_for(priority)
        try:
            sandbox.start()
        except BaseException:
            sandbox.close()
            raise
        return sandbox


def shares_for(priority: bool) -> int:
    return PRIORITY_SHARES if priority else GRADING_SHARES


class DockerSandbox:
    def __init__(self, client: docker.DockerClient, limits: SandboxLimits, labels: dict[str, str]) -> None:
        self.client = client
        self.limits = limits
        self.labels = labels
        self.container: Any = None
        self.stream: AttachStream | None = None
        self.broken = ""
        self.next_id = 0
        self.startup_seconds = 0.0
        self.files: dict[str, bytes] = {}
        self.learner_files: dict[str, bytes] = {}  # the learner's own, re-sent first after a respawn
        self.guarded: tuple[str, ...] | None = None
        self.judging = JUDGED
        self.image_id = ""  # the digest of the image this container really runs, for provenance
        self.verifier: ImageVerifier | None = (
            None  # checks that image's environment before the container starts
        )
        self.environment = ""  # that image's environment digest (sandboxes/environment.py), for provenance
        self.respawns = 0
        self.warm = False  # started ahead of need by a pool
        self.cpu_shares = GRADING_SHARES
        self.cell_seconds = 0.0  # the notebook's own execution time, as the agent measured it
        self.disposer: Callable[[Any], None] | None = None  # removes a container; inline if None
        self.on_release: Callable[[], None] | None = None  # called once, when the sandbox is closed

    @property
    def short_id(self) -> str:
        return str(self.container.id)[:12] if self.container is not None else "-"

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        started = time.monotonic()
        try:
            self.container = self.client.containers.create(
                self.limits.image,
                stdin_open=True,
                labels=self.labels,
                cpu_shares=self.cpu_shares,
                **self.limits.container_options(),
            )
            self.image_id = str(self.container.attrs["Image"])
            if self.verifier is not None:  # the tag may have moved since the worker checked it
                self.environment = self.verifier.confirm(self.client, self.image_id, self.limits.image)
            sock = self.client.api.attach_socket(
                self.container.id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
            raw = getattr(sock, "_sock", sock)
            self.stream = AttachStream(raw, max_line=self.limits.output_limit_bytes * 2 + 65536)
            self.container.start()
        except DockerException as exc:
            raise SandboxError(f"could not start a sandbox: {exc}") from exc
        try:
            hello = self.stream.receive(time.monotonic() + self.limits.start_timeout)
        except StreamClosed as exc:
            raise SandboxError(f"the sandbox did not become ready: {exc}; {self._stderr()}") from exc
        if hello.get("event") != "ready":
            raise SandboxError(f"the sandbox failed to start: {hello.get('message', hello)}")
        self._agree_key()
        self.startup_seconds = time.monotonic() - started

    def _agree_key(self) -> None:
        """Give the agent a key before any learner code runs; from now on replies are signed."""
        key = secrets.token_bytes(32)
        reply = self._request({"op": "hello", "key": key.hex()}, timeout=10, sign_reply_with=key)
        if reply is None or reply.get("status") != "ok":
            raise SandboxError(f"the sandbox did not accept its key: {self.broken or reply}")

    def guard(self, modules: Sequence[str], judging: Judging = JUDGED) -> None:
        """Before the first cell: the judge (or, in-process, the kernel's snapshot) imports these."""
        self.guarded, self.judging = tuple(modules), judging
        request = {
            "op": "guard",
            "modules": list(modules),
            "judge": judging.in_judge,
            "proxies": judging.proxies,
        }
        reply = self._request(request, timeout=self.limits.start_timeout)
        if reply is not None:  # the imports the notebook would otherwise do in its first cells
            self.cell_seconds += float(reply.get("duration", 0.0))
        if reply is None or reply.get("status") != "ok":
            raise SandboxError(
                f"the sandbox could not guard {', '.join(modules) or 'its kernel'}: {self.broken or reply}"
            )

    def put_files(self, files: Mapping[str, bytes], judge: bool = True) -> None:
        """Write files into the learner's directory; ``judge``: the instructor's, so the judge gets a copy too."""
        (self.files if judge else self.learner_files).update(files)
        payload = {name: base64.b64encode(data).decode() for name, data in files.items()}
        reply = self._request({"op": "put_files", "files": payload, "judge": judge}, timeout=60)
        if reply is None or reply.get("status") != "ok":
            raise SandboxError(
                f"could not copy the assignment's files into the sandbox: {self.broken or reply}"
            )

    def reweight(self, cpu_shares: int) -> None:
        """Change the sandbox's CPU weight; left as it is where the runtime cannot (runsc)."""
        if self.container is None or cpu_shares == self.cpu_shares:
            return
        try:
            self.client.api.update_container(self.container.id, cpu_shares=cpu_shares)
        except DockerException as exc:
            log.debug("could not reweight sandbox %s: %s", self.short_id, exc)
            return
        self.cpu_shares = cpu_shares

    def ping(self, timeout: float = 5.0) -> bool:
        """Is the agent answering and its kernel alive? Checked before a warm sandbox is used."""
        reply = self._request({"op": "ping"}, timeout=timeout)
        return reply is not None and reply.get("status") == "ok"

    def restart(self) -> None:
        reply = self._request({"op": "restart"}, timeout=self.limits.start_timeout)
        if reply is None or reply.get("status") != "ok":
            raise SandboxError(f"could not restart the kernel: {self.broken or reply}")

    def run_cell(self, code: str, timeout: float, attest: bool = False, define: str = "") -> CellRun:
        request = {"op": "execute", "code": code, "timeout": timeout, "attest": attest, "define": define}
        return self._run(request, timeout, attest)

    def run_test(self, code: str, timeout: float) -> CellRun:
        """The test's text travels sealed: under gVisor the learner can read the agent's stdin."""
        key = self.stream.key if self.stream is not None else None
        if key is None:
            return CellRun("lost", detail="the sandbox has no key to seal a test with")
        return self._run({"op": "test", "sealed": sealing.seal(key, code), "timeout": timeout}, timeout, True)

    def _run(self, request: dict[str, Any], timeout: float, attest: bool) -> CellRun:
        reply = self._request(request, timeout=timeout + REPLY_SLACK)
        if reply is None:
            if self._respawn_after_oom():
                return CellRun("dead", detail=self._crash_detail({"exit_code": -9}))
            self._raise_if_engine_lost()
            return CellRun("lost", detail=f"the sandbox stopped answering ({self.broken})")
        status = reply.get("status")
        ran = status in ("ok", "error")
        attestation = reply.get("attestation") or (
            {"verdict": "missing", "detail": "the sandbox sent no attestation"}
            if ran
            else {"verdict": "not_run"}
        )
        if status not in ("ok", "error", "timeout", "timeout_restarted", "dead"):
            return CellRun("lost", detail=f"the sandbox sent an unexpected reply status {status!r}")
        duration = float(reply.get("duration", 0.0))
        self.cell_seconds += duration
        return CellRun(
            status=status,
            outputs=tuple(reply.get("outputs", ())),
            duration=duration,
            truncated=bool(reply.get("truncated")),
            detail=self._crash_detail(reply) if status == "dead" else "",
            attestation=attestation.get("verdict") if attest else None,
            attestation_detail=str(attestation.get("detail", "")),
        )

    def _respawn_after_oom(self) -> bool:
        """Under gVisor an out-of-memory kill takes the whole container, not just the kernel.

        That is still the learner's crash, not ours: start a fresh container (with the same
        files) so the pipeline can replay the clean cells, exactly as after a kernel death.
        Any other way of losing the container stays ``lost``.
        """
        if self.container is None or self.respawns >= MAX_RESPAWNS:
            return False
        try:
            self.container.wait(timeout=10)
            self.container.reload()
            oom = bool(self.container.attrs["State"].get("OOMKilled"))
        except Exception:  # still running, or the engine cannot say: not a memory kill we can prove
            return False
        if not oom:
            return False
        self.respawns += 1
        self._drop_container()
        self.broken, self.next_id = "", 0
        self.start()
        if self.guarded is not None:
            self.guard(self.guarded, self.judging)
        if self.learner_files:
            self.put_files(self.learner_files, judge=False)
        if self.files:
            self.put_files(self.files)
        return True

    def _raise_if_engine_lost(self) -> None:
        """A sandbox stopped by its engine (restarting, crashing) is our fault, not the learner's.

        Without this the pipeline would score the cell as lost: 0 points and a review flag,
        for a grade that never ran. Raises ``SandboxError`` (retried with backoff) when the
        engine does not answer, no longer knows the container, or stopped it from outside
        (SIGTERM or SIGKILL to its init, no out-of-memory kill): learner code runs as uid
        1000 without capabilities and can signal neither the init nor the agent (uid 0).
        Any other end (the container still running, another exit code) stays ``lost``,
        failing closed as before.
        """
        try:
            self.client.ping()
            if self.container is None:
                return
            with contextlib.suppress(Exception):  # still running, or the engine went: the reload tells
                self.container.wait(timeout=STOP_WAIT)
            self.container.reload()
        except NotFound as exc:
            raise SandboxError(f"the sandbox's container was removed mid-grade ({self.broken})") from exc
        except Exception as exc:  # requests' connection errors as well as DockerException
            raise SandboxError(f"the Docker engine went away mid-grade ({self.broken}): {exc}") from exc
        state = self.container.attrs.get("State", {})
        if state.get("ExitCode") in STOPPED_FROM_OUTSIDE and not state.get("OOMKilled"):
            raise SandboxError(
                f"the sandbox was stopped from outside (exit code {state['ExitCode']}), "
                "most likely by its Docker engine stopping"
            )

    def close(self) -> None:
        """Remove the container whatever state it is in; safe to call twice."""
        self._drop_container()
        if self.on_release is not None:
            release, self.on_release = self.on_release, None
            release()

    def _drop_container(self) -> None:
        if self.stream is not None:
            with contextlib.suppress(OSError):
                self.stream.sock.close()
        if self.container is not None:
            container, self.container = self.container, None
            if self.disposer is not None:
                self.disposer(container)
            else:
                self.remove_container(container)

    @staticmethod
    def remove_container(container: Any) -> None:
        try:
            container.remove(force=True)
        except DockerException as exc:
            log.warning("could not remove sandbox %s: %s", str(container.id)[:12], exc)

    def _request(
        self, message: dict[str, Any], timeout: float, sign_reply_with: bytes | None = None
    ) -> dict[str, Any] | None:
        if self.broken or self.stream is None:
            return None
        self.next_id += 1
        message["id"] = self.next_id
        deadline = time.monotonic() + timeout
        try:
            self.stream.send(message)
            if sign_reply_with is not None:
                self.stream.key = sign_reply_with
            while True:
                reply = self.stream.receive(deadline)
                if reply.get("event") == "intrusion":
                    raise StreamClosed(f"the agent stopped: {reply.get('message')}")
                if reply.get("id") == self.next_id:
                    return reply
        except StreamClosed as exc:
            self.broken = str(exc)
            return None

    def _crash_detail(self, reply: dict[str, Any]) -> str:
        code = reply.get("exit_code")
        if code in (-9, 137):
            return f"the kernel was killed, most likely for using more than its memory limit of {self.limits.memory_mb} MiB"
        if isinstance(code, int) and code < 0:
            return f"the kernel was stopped by signal {-code}"
        if code is not None:
            return f"the kernel exited with code {code}"
        return "the kernel died"

    def _stderr(self) -> str:
        tail = self.stream.stderr_tail.decode(errors="replace").strip() if self.stream else ""
        return f"sandbox stderr: {tail[-500:]}" if tail else "no output on stderr"
