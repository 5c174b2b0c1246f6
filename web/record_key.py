"""The service's Ed25519 key for signing exported records: made once, kept in a file.

The private key never leaves this file (mode 0600); its public half is published at
``GET /api/v1/records/public-key`` so anyone can verify a record offline
(``autograde records verify``). Several web processes may start at once: the key is
written to a temporary file and linked into place, so exactly one key wins.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from grader.errors import InfrastructureError


def load_or_create(path: str) -> bytes:
    """The raw 32-byte private key at ``path``, created there first if missing."""
    target = Path(path)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".records-key-")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, pem)
            os.close(fd)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, target)  # only if no other process made one meanwhile
        finally:
            os.unlink(temporary)
    try:
        key = serialization.load_pem_private_key(target.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise InfrastructureError(f"the records signing key {target} cannot be read: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InfrastructureError(f"the records signing key {target} is not an Ed25519 key")
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
