"""The limits every sandbox runs under; recorded with each grade as part of its provenance."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SANDBOX_UID = 1000


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

        scratch = f"size={self.scratch_mb}m,nosuid,nodev"
        return {
            "network_mode": "none",
            "user": f"{SANDBOX_UID}:{SANDBOX_UID}",
            "read_only": True,
            "tmpfs": {
                "/tmp": f"{scratch},mode=1777",
                "/home/learner": f"{scratch},mode=0700,uid={SANDBOX_UID},gid={SANDBOX_UID}",
            },
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "pids_limit": self.pids,
            "mem_limit": f"{self.memory_mb}m",
            "memswap_limit": f"{self.memory_mb}m",
            "nano_cpus": int(self.cpus * 1e9),
            "ulimits": [Ulimit(name="nofile", soft=self.nofile, hard=self.nofile)],
            "runtime": self.runtime,
            "init": True,
            "hostname": "sandbox",
            "log_config": {"type": "none"},
            "environment": {"AUTOGRADE_OUTPUT_LIMIT": str(self.output_limit_bytes)},
        }
