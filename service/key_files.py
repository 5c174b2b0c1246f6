"""Private key files: made once, mode 0600, never overwritten, with exactly one winner among racing processes."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from grader.errors import BadInput


def create_once(path: Path, make: bytes) -> None:
    """Write ``make`` to ``path`` unless a file is there already.

    Written to a temporary file and linked into place: of several processes starting at
    once, exactly one key wins, and no process ever reads a half-written file.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, make)
        os.close(fd)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)  # only if no other process made one meanwhile
    finally:
        os.unlink(temporary)


def write_new(path: Path, data: bytes, what: str) -> None:
    """An admin's ``keygen``: a new file or BadInput; an existing key is never overwritten."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise BadInput(f"{path} exists; a {what} is never overwritten") from exc
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "wb") as out:
        out.write(data)
