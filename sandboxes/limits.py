"""The limits every sandbox runs under; recorded with each grade as part of its provenance."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SANDBOX_UID = 1000
JUDGE_GID = 1001  # the judge's own uid and gid (sandboxes/agent/judge_link.py)
# gVisor's own kernel (the Sentry) runs as host threads inside the container's pids cgroup,
# so under runsc the cgroup needs headroom and the learner's processes are capped by
# RLIMIT_NPROC, which gVisor enforces inside its own kernel, per sandbox.
GVISOR_PIDS_HEADROOM = 512
AGENT_CAPABILITIES = ("SETUID", "SETGID", "KILL", "CHOWN")


@dataclass(frozen=True)
class SandboxLimits:
    image: str = "autograde-sandbox:latest"
    runtime: str = "runc"
    memory_mb: int = 1024
    cpus: float = 1.0
    pids: int = 128
    nofile: int = 1024
    scratch_mb: int = 64
    output_limit_bytes: int = 1024 * 1024
    start_timeout: float = 60.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def container_options(self) -> dict[str, Any]:
        """Docker create() options: no network, not root, read-only, capped everything."""
        from docker.types import Ulimit

        ulimits = [Ulimit(name="nofile", soft=self.nofile, hard=self.nofile)]
        pids = self.pids
        if self.runtime == "runsc":
            ulimits.append(Ulimit(name="nproc", soft=self.pids, hard=self.pids))
            pids += GVISOR_PIDS_HEADROOM

        # noexec: nothing written at run time can be mapped as code (no smuggled .so files)
        scratch = f"size={self.scratch_mb}m,nosuid,nodev,noexec"
        return {
            # No network at all. NetworkDisabled also keeps Docker's network manager out of the
            # container: runc (or runsc) makes the container a fresh, empty network namespace
            # itself, instead of Docker making one and joining it through a prestart hook that
            # re-executes the whole dockerd binary for every container (110 to 145 ms of CPU per
            # runc sandbox in runs here, about 30% of its life; bench/start_cost.py measures it).
            "network_mode": "none",
            "network_disabled": True,
            # the agent starts as uid 0 with four capabilities, only to start the kernel as
            # SANDBOX_UID and signal it; the learner's code never holds any capability
            "user": f"0:{SANDBOX_UID}",
            "cap_add": list(AGENT_CAPABILITIES),
            "read_only": True,
            "tmpfs": {
                "/tmp": f"{scratch},mode=1777",
                "/home/learner": f"{scratch},mode=0770,uid={SANDBOX_UID},gid={SANDBOX_UID}",
                # the judge's home: the agent (uid 0) writes the data files, the judge reads
                # them, and the learner (neither owner nor in the group) cannot even enter
                "/run/judge": f"{scratch},mode=0770,uid=0,gid={JUDGE_GID}",
            },
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "pids_limit": pids,
            "mem_limit": f"{self.memory_mb}m",
            "memswap_limit": f"{self.memory_mb}m",
            "nano_cpus": int(self.cpus * 1e9),
            "ulimits": ulimits,
            "runtime": self.runtime,
            "init": True,
            "hostname": "sandbox",
            "log_config": {"type": "none"},
            # NBGRADER_EXECUTION: nbgrader's FAQ has notebooks branch on it ("autograde" while
            # grading); the learner's kernel inherits the agent's environment, the judge keeps it
            "environment": {
                "AUTOGRADE_OUTPUT_LIMIT": str(self.output_limit_bytes),
                "NBGRADER_EXECUTION": "autograde",
            },
        }
