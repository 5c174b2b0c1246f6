"""The sandbox's environment digest: what every host's sandbox image must have been built from.

Two hosts that build the image from the same lock file get different image ids (Docker
builds are not reproducible: timestamps, layer order), so the id cannot tell whether they
grade alike. This digest can: a SHA-256 over what decides how a notebook runs in the
sandbox (the pinned libraries, the trusted agent's sources and the image recipe), computed
by this one function both when the image is built (it becomes the image's ``LABEL``) and
when a worker starts (it must find the same value on its engine's image).

Standard library only: ``scripts/build-sandbox-image.sh`` runs ``python3 -m
sandboxes.environment`` with whatever Python the build host has.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

LABEL = "autograde.environment"  # the image label that carries the digest
UNPINNED = "unpinned"  # the label of an image built from the loose requirements (re-pinning)
HERE = Path(__file__).resolve().parent


def environment_files(root: Path = HERE) -> list[Path]:
    """The files the digest covers, in a fixed order: the lock, the recipe, every agent source."""
    return [
        root / "image" / "requirements.lock",
        root / "image" / "Dockerfile",
        *sorted((root / "agent").glob("*.py")),
    ]


def environment_digest(root: Path = HERE) -> str:
    """``sha256:<hex>`` over each covered file's path (relative to ``root``) and content.

    Names are hashed with lengths, so moving bytes from one file to the next, or renaming
    a file, changes the digest.
    """
    digest = hashlib.sha256()
    for path in environment_files(root):
        name = path.relative_to(root).as_posix().encode()
        content = path.read_bytes()
        digest.update(b"%d:%s\0%d:" % (len(name), name, len(content)))
        digest.update(content)
    return f"sha256:{digest.hexdigest()}"


if __name__ == "__main__":
    sys.stdout.write(environment_digest() + "\n")
