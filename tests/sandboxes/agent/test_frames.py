"""Frames between judge, agent and kernel: whole frames through, every broken length refused unread."""

from __future__ import annotations

import contextlib
import os
import struct
import time
from collections.abc import Iterator

import pytest

from tests.sandboxes.agent.agent_module import agent_module

frames = agent_module("frames")
SOON = 5.0  # seconds: a deadline that only a broken test would reach


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read, write = os.pipe()
    yield read, write
    for fd in (read, write):
        with contextlib.suppress(OSError):
            os.close(fd)


def raw(header: bytes, body: bytes = b"") -> bytes:
    return struct.pack(">I", len(header)) + header + struct.pack(">I", len(body)) + body


def test_frames_written_are_read_whole_and_in_order(pipe: tuple[int, int]) -> None:
    read, write = pipe
    frames.write_frame(write, {"op": "run", "n": 1}, b"\x00body")
    frames.write_frame(write, {"op": "stop"})
    reader = frames.FrameReader(read)
    assert reader.read(time.monotonic() + SOON) == ({"op": "run", "n": 1}, b"\x00body")
    assert reader.read(time.monotonic() + SOON) == ({"op": "stop"}, b"")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (struct.pack(">I", frames.MAX_HEADER + 1), "header of"),
        (raw(b"{}")[:6] + struct.pack(">I", 1001), "body of 1001 bytes"),
        (raw(b"[1, 2]"), "not a JSON object"),
        (raw(b"{not json"), "not JSON"),
        (raw(b"[" * 100_000 + b"]" * 100_000), "over the"),
    ],
)
def test_a_length_over_its_cap_or_a_header_that_is_not_an_object_breaks_the_channel(
    pipe: tuple[int, int], data: bytes, message: str
) -> None:
    read, write = pipe
    os.write(write, data[:60_000])
    with pytest.raises(frames.Broken, match=message):
        frames.FrameReader(read, max_body=1000).read(time.monotonic() + SOON)


def test_a_length_over_the_cap_is_refused_before_what_it_announces_arrives(pipe: tuple[int, int]) -> None:
    read, write = pipe
    os.write(write, struct.pack(">I", 2**32 - 1))  # 4 GB announced, nothing sent
    with pytest.raises(frames.Broken, match="cap") as caught:
        frames.FrameReader(read).read(time.monotonic() + SOON)
    assert not isinstance(caught.value, frames.Stalled)


def test_a_partial_frame_stalls_and_the_next_read_carries_on(pipe: tuple[int, int]) -> None:
    read, write = pipe
    whole = raw(b'{"op": "x"}', b"abc")
    os.write(write, whole[:7])
    reader = frames.FrameReader(read)
    with pytest.raises(frames.Stalled):
        reader.read(time.monotonic())  # a deadline already passed
    os.write(write, whole[7:])
    assert reader.read(time.monotonic() + SOON) == ({"op": "x"}, b"abc")


def test_a_writer_gone_midway_is_closed_not_stalled(pipe: tuple[int, int]) -> None:
    read, write = pipe
    os.write(write, raw(b"{}", b"abcdef")[:9])
    os.close(write)
    with pytest.raises(frames.Closed):
        frames.FrameReader(read).read(time.monotonic() + SOON)


def test_a_writer_whose_reader_stops_reading_stalls_at_its_deadline(pipe: tuple[int, int]) -> None:
    _, write = pipe
    with pytest.raises(frames.Stalled, match="stopped reading"):
        frames.write_frame(write, {"op": "flood"}, b"x" * (4 * 1024 * 1024), deadline=time.monotonic())
