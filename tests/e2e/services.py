"""Helpers for end-to-end tests: a real worker process and waiting for grades over HTTP."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from service.settings import Settings
from tests.conftest import ROOT


def environment_of(settings: Settings) -> dict[str, str]:
    """The environment of a process configured by ``settings`` alone: every ``AUTOGRADE_*`` variable is its."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADE_")}
    env = {**inherited, **{f"AUTOGRADE_{k.upper()}": str(v) for k, v in settings.__dict__.items()}}
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )  # this checkout's code
    return env


def start_worker(settings: Settings, log: Path, name: str | None = None) -> subprocess.Popen[bytes]:
    """``autograde worker`` in its own process, configured through the environment."""
    name = name or f"w-{secrets.token_hex(3)}"
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "autograde", "worker", "--name", name],
            env=environment_of(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_graded(api: requests.Session, url: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api.get(url, timeout=10).json()
        if body["status"] in ("graded", "failed"):
            return dict(body)
        time.sleep(0.5)
    raise AssertionError(f"not graded in time: {body}")
