"""What restoring a ready gVisor sandbox from a checkpoint would save, side by side with starting one.

    .venv/bin/python -m bench.restore_cost --sandboxes 8

A measurement for a design not built yet (issue 4: gVisor within 1.5x of runc). Docker
cannot restore a checkpoint into a new container, so this drives ``runsc`` directly, on a
bundle made from the sandbox image (read-only root, uid 1000, no capabilities, no new
privileges, a private /tmp, no network). Each sandbox lives one life: the interpreter with
the preload table, a shell that has run a cell, numpy from its table (the state a warm
sandbox waits in); it answers a first line on stdin (ready, as seen from outside), then a
second line runs a numpy cell and the process exits.

- **start**: every life starts from nothing, as a warm sandbox does now.
- **restore**: one sandbox is started, checkpointed once it is ready, and every life is
  restored from that image.

For each, the machine's CPU per life (``/proc/stat``, so runsc, its gofer, the sandbox and
the kernel all count), split at the first answer, and the wall time from the command to
the exit. Rows alternate, twice each, so drift on a shared machine shows. Figures are only
ever compared within one run. Needs root and ``runsc``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

import docker

from bench.speed import machine
from bench.start_cost import STEPS, machine_cpu

READY = STEPS["+ numpy imported from its preload table"][3] + (
    "; print('ready', flush=True); import sys; sys.stdin.readline(); print('pong', flush=True); sys.stdin.readline(); "
    "s.run_cell('import numpy as np; answer = int(np.arange(10**6).sum())'); "
    "print(s.user_ns['answer'], flush=True)"
)
ANSWER = str(sum(range(10**6)))
RUNSC = ["runsc", "--platform=ptrace", "--network=none"]


def make_bundle(image: str, folder: Path) -> Path:
    """The image's files as an OCI bundle, with a hardened config for one ready-then-answer life."""
    rootfs = folder / "rootfs"
    rootfs.mkdir(parents=True)
    client = docker.from_env()
    container = client.containers.create(image)
    tar = folder / "rootfs.tar"  # on disk: the image is near a gigabyte
    try:
        with tar.open("wb") as out:
            for chunk in container.export():
                out.write(chunk)
    finally:
        container.remove()
    with tarfile.open(tar) as archive:
        archive.extractall(rootfs, filter="fully_trusted")
    tar.unlink()
    subprocess.run(["runsc", "spec"], cwd=folder, check=True)
    config = json.loads((folder / "config.json").read_text())
    config["process"].update(
        args=["/opt/sandbox/bin/python", "-I", "-c", READY],
        terminal=False,
        cwd="/tmp",
        user={"uid": 1000, "gid": 1000},
        noNewPrivileges=True,
        capabilities={},
        env=[
            "PATH=/opt/sandbox/bin:/usr/bin:/bin",
            "HOME=/tmp",
            "IPYTHONDIR=/tmp/.ipython",
            "OPENBLAS_NUM_THREADS=1",
            "OMP_NUM_THREADS=1",
            "PYTHONDONTWRITEBYTECODE=1",
        ],
    )
    config["root"]["readonly"] = True
    config["mounts"].append(
        {
            "destination": "/tmp",
            "type": "tmpfs",
            "source": "tmpfs",
            "options": ["nosuid", "nodev", "size=64m"],
        }
    )
    (folder / "config.json").write_text(json.dumps(config))
    return folder


class Runsc:
    def __init__(self, bundle: Path, state: Path) -> None:
        self.bundle, self.state = bundle, state

    def command(self, *args: str) -> list[str]:
        return [*RUNSC, f"--root={self.state}", *args]

    def launch(self, verb: str, name: str, *extra: str) -> subprocess.Popen[str]:
        """``run`` or ``restore`` in the foreground: the sandbox's stdin and stdout are our pipes."""
        return subprocess.Popen(
            self.command(verb, "-bundle", str(self.bundle), *extra, name),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def delete(self, name: str) -> None:
        subprocess.run(self.command("delete", "-force", name), check=False, capture_output=True)

    def checkpoint(self, image: Path) -> None:
        """A sandbox started and checkpointed once ready: the image every restore starts from."""
        name = f"ready-{uuid.uuid4().hex[:8]}"
        process = self.launch("run", name)
        assert process.stdout is not None
        expect(process.stdout.readline(), "ready")
        subprocess.run(self.command("checkpoint", "-image-path", str(image), name), check=True)
        process.wait(timeout=60)
        self.delete(name)

    def life(self, image: Path | None) -> tuple[float, float]:
        """One sandbox: started (or restored from ``image``) until it answers, one cell, then gone.

        Returns the machine's CPU seconds up to its first answer, and for the cell and the exit.
        """
        before = machine_cpu()
        name = f"life-{uuid.uuid4().hex[:8]}"
        process = (
            self.launch("restore", name, "-image-path", str(image)) if image else self.launch("run", name)
        )
        assert process.stdout is not None
        if image is None:
            expect(process.stdout.readline(), "ready")
        say(process, "ping", "pong")
        answered = machine_cpu()
        say(process, "go", ANSWER)
        process.wait(timeout=60)
        self.delete(name)
        return answered - before, machine_cpu() - answered


def say(process: subprocess.Popen[str], line: str, reply: str) -> None:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(line + "\n")
    process.stdin.flush()
    expect(process.stdout.readline(), reply)


def expect(line: str, wanted: str) -> None:
    if line.strip() != wanted:
        raise RuntimeError(f"the sandbox said {line.strip()!r}, not {wanted!r}")


def row(runsc: Runsc, image: Path | None, count: int) -> tuple[float, float, float]:
    """Per life, in ms: wall time, machine CPU until the sandbox answers, machine CPU of the cell and exit."""
    started = time.monotonic()
    parts = [runsc.life(image) for _ in range(count)]
    wall = (time.monotonic() - started) / count * 1000
    return wall, sum(p[0] for p in parts) / count * 1000, sum(p[1] for p in parts) / count * 1000


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sandboxes", type=int, default=8, help="lives per row")
    parser.add_argument("--image", default="autograde-sandbox:latest")
    args = parser.parse_args()
    if shutil.which("runsc") is None:
        raise SystemExit("runsc is not installed: run scripts/setup.sh first")
    with tempfile.TemporaryDirectory(prefix="restore-cost-") as scratch:
        folder = Path(scratch)
        runsc = Runsc(make_bundle(args.image, folder / "bundle"), folder / "state")
        image = folder / "checkpoint"
        image.mkdir()
        runsc.checkpoint(image)
        size = sum(f.stat().st_size for f in image.iterdir())
        print(f"# gVisor restore against start, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        print(
            f"{machine()}\n{' '.join(RUNSC)}; checkpoint image {size / 2**20:.1f} MB; "
            f"{args.sandboxes} lives per row\n"
        )
        print(
            "| way | wall ms per life | machine CPU ms: until it answers | + the cell and exit | = per life |"
        )
        print("|---|---|---|---|---|")
        for source in (None, image):  # the page cache warm for both
            runsc.life(source)
        for _ in range(2):
            for way, source in (("start, then ready", None), ("restore a ready checkpoint", image)):
                wall, ready, cell = row(runsc, source, args.sandboxes)
                print(f"| {way} | {wall:.0f} | {ready:.0f} | {cell:.0f} | {ready + cell:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
