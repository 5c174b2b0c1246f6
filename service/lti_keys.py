"""The tool's LTI signing key and the retired keys still published, read from the configured files.

Read on first use, not at start-up: a deployment that never registers an LTI platform
needs no key. On one machine (embedded mode) the key is made on first use in the data
directory, linked into place so that of several processes starting at once exactly one
key wins. With many hosts (distributed mode) a key made per host would sign assertions
the published set of another host lacks, so the configured file is only ever read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric import rsa

from grader.errors import BadInput, InfrastructureError
from integrations.lti_keys import (
    key_id,
    key_set,
    new_private_key_pem,
    private_key_from_pem,
    public_key_from_pem,
)
from service.key_files import create_once
from service.settings import Settings

Key = TypeVar("Key")


@dataclass(frozen=True)
class ToolKeys:
    """The private key that signs, its ``kid``, and the JWK set published for verifying (its own key first)."""

    signing: rsa.RSAPrivateKey
    kid: str
    published: dict[str, Any]


class ToolKeyring:
    """Loads the keys once per process, on first use, and keeps them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._keys: ToolKeys | None = None
        self._lock = threading.Lock()

    def keys(self) -> ToolKeys:
        with self._lock:
            if self._keys is None:
                self._keys = load_tool_keys(self.settings)
            return self._keys


def load_tool_keys(settings: Settings) -> ToolKeys:
    path = Path(settings.lti_key_file)
    pem = read_key(path) if settings.distributed else load_or_create(path)
    signing = parse(path, pem, private_key_from_pem)
    retired = [
        parse(Path(name), read_key(Path(name)), public_key_from_pem)
        for name in settings.previous_lti_key_files
    ]
    return ToolKeys(signing, key_id(signing.public_key()), key_set([signing.public_key(), *retired]))


def parse(path: Path, pem: bytes, reader: Callable[[bytes], Key]) -> Key:
    try:
        return reader(pem)
    except BadInput as exc:
        raise InfrastructureError(f"the LTI tool key {path} is not usable: {exc.message}") from exc


def load_or_create(path: Path) -> bytes:
    if not path.exists():
        create_once(path, new_private_key_pem())
    return read_key(path)


def read_key(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        hint = (
            "; make one with `autograde lti keygen --out FILE`" if isinstance(exc, FileNotFoundError) else ""
        )
        raise InfrastructureError(f"the LTI tool key {path} cannot be read: {exc.strerror}{hint}") from exc
