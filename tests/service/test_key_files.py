"""Key files: created once with mode 0600, one winner among racers, never overwritten by keygen."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.errors import BadInput
from service.key_files import create_once, write_new


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_key_is_made_private_in_a_new_directory_and_kept_on_the_next_start(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "tool.pem"
    create_once(key, b"first")
    create_once(key, b"second")
    assert key.read_bytes() == b"first" and mode(key) == 0o600
    assert [p.name for p in key.parent.iterdir()] == ["tool.pem"]  # no temporary left behind


def test_of_racing_starts_exactly_one_key_wins_and_every_reader_sees_a_whole_one(tmp_path: Path) -> None:
    key = tmp_path / "tool.pem"
    candidates = [bytes([i]) * 4096 for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda data: create_once(key, data), candidates))
    assert key.read_bytes() in candidates and [p.name for p in tmp_path.iterdir()] == ["tool.pem"]


def test_keygen_never_overwrites_an_existing_key(tmp_path: Path) -> None:
    key = tmp_path / "records.key"
    write_new(key, b"old", "records key")
    with pytest.raises(BadInput, match="never overwritten"):
        write_new(key, b"new", "records key")
    assert key.read_bytes() == b"old" and mode(key) == 0o600


def test_keygen_into_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="cannot write"):
        write_new(tmp_path / "missing" / "k", b"x", "key")
