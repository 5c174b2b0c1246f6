"""Only records the kernel's hook signed count; anything else on the pipe poisons every later verdict."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.sandboxes.agent.agent_module import agent_module

attestations = agent_module("attestations")
KEY = b"hook-key"
PID = 4242


def signed(record: dict[str, Any], key: bytes = KEY) -> bytes:
    body = json.dumps(record)
    mac = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    return json.dumps({"body": body, "mac": mac}).encode() + b"\n"


def record(event: str, nonce: str = "n1", pid: int = PID, **extra: Any) -> dict[str, Any]:
    return {"event": event, "nonce": nonce, "pid": pid, **extra}


@pytest.fixture
def pipe() -> Iterator[tuple[Any, int]]:
    read, write = os.pipe()
    yield attestations.Attestations(read, KEY, PID), write
    os.close(read)
    os.close(write)


def test_a_signed_begin_and_verify_for_this_cell_are_verified(pipe: tuple[Any, int]) -> None:
    reader, write = pipe
    os.write(write, signed(record("begin")) + signed(record("verify")))
    records = reader.read("n1")
    assert [r["event"] for r in records] == ["begin", "verify"]
    assert attestations.summarise(records) == {"verdict": "verified", "detail": ""}


@pytest.mark.parametrize(
    ("line", "detail"),
    [
        (signed(record("begin"), key=b"guessed"), "bad signature"),
        (b'{"body": "{}"}\n', "something other than the hook"),
        (b"print('verified')\n", "something other than the hook"),
    ],
)
def test_anything_unsigned_is_forged_now_and_for_every_later_cell(
    pipe: tuple[Any, int], line: bytes, detail: str
) -> None:
    reader, write = pipe
    os.write(write, line + signed(record("verify")))
    assert attestations.summarise(reader.read("n1"))["verdict"] == "forged"
    os.write(write, signed(record("begin", "n2")) + signed(record("verify", "n2")))
    later = attestations.summarise(reader.read("n2"))
    assert later["verdict"] == "forged" and detail in later["detail"]


@pytest.mark.parametrize(
    ("begin", "detail"),
    [(record("begin", nonce="old"), "another cell"), (record("begin", pid=PID + 1), "copy of the kernel")],
)
def test_a_replayed_or_forked_record_is_forged(
    pipe: tuple[Any, int], begin: dict[str, Any], detail: str
) -> None:
    reader, write = pipe
    os.write(write, signed(begin) + signed(record("verify")))
    summary = attestations.summarise(reader.read("n1"))
    assert summary["verdict"] == "forged" and detail in summary["detail"]


def test_a_flooded_pipe_is_forged(pipe: tuple[Any, int]) -> None:
    reader, write = pipe
    for _ in range(20):
        os.write(write, b"x" * 60_000)
        reader.read("n1")
    summary = attestations.summarise(reader.read("n1"))
    assert summary == {"verdict": "forged", "detail": "the attestation pipe was flooded"}


def test_a_half_written_line_waits_for_its_end(pipe: tuple[Any, int]) -> None:
    reader, write = pipe
    line = signed(record("begin"))
    os.write(write, line[:10])
    assert reader.read("n1") == []
    os.write(write, line[10:] + signed(record("verify")))
    assert attestations.summarise(reader.read("n1"))["verdict"] == "verified"


@pytest.mark.parametrize(
    ("records", "verdict"),
    [
        ([record("begin")], "missing"),
        ([record("begin"), record("verify"), record("verify")], "missing"),
        ([record("begin"), record("verify", verdict="error", detail="boom")], "error"),
        ([record("begin"), {"verdict": "tampered", "detail": "x"}], "tampered"),
        ([], "missing"),
    ],
)
def test_only_one_clean_begin_and_verify_make_verified(records: list[dict[str, Any]], verdict: str) -> None:
    assert attestations.summarise(records)["verdict"] == verdict
