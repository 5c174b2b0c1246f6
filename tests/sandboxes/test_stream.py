"""The attach stream: only whole, capped, signed JSON object lines from stdout count; anything else ends it.

A real socket pair stands in for the container's attach socket, with Docker's 8-byte frames.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from collections.abc import Iterator

import pytest

from sandboxes.stream import HEADER, STDERR, STDERR_TAIL, STDOUT, AttachStream, StreamClosed

KEY = b"k" * 32
CAP = 1024


@pytest.fixture
def pair() -> Iterator[tuple[AttachStream, socket.socket]]:
    ours, theirs = socket.socketpair()
    yield AttachStream(ours, CAP), theirs
    ours.close()
    theirs.close()


def frame(payload: bytes, stream: int = STDOUT) -> bytes:
    return HEADER.pack(stream, len(payload)) + payload


def signed(message: bytes) -> bytes:
    return hmac.new(KEY, message, hashlib.sha256).hexdigest().encode() + b" " + message


def soon() -> float:
    return time.monotonic() + 10


def test_a_line_split_over_frames_and_two_lines_in_one_frame_are_read_in_order(
    pair: tuple[AttachStream, socket.socket],
) -> None:
    stream, agent = pair
    agent.sendall(frame(b'{"a"') + frame(b":1}\n{") + frame(b'"b":2}\n'))
    assert stream.receive(soon()) == {"a": 1}
    assert stream.receive(soon()) == {"b": 2}


def test_stderr_is_kept_only_as_a_short_tail_and_never_read_as_a_reply(
    pair: tuple[AttachStream, socket.socket],
) -> None:
    stream, agent = pair
    agent.sendall(frame(b"x" * 900 + b'{"forged": 1}\n', STDERR) * 10 + frame(b'{"ok": 1}\n'))
    assert stream.receive(soon()) == {"ok": 1}
    assert len(stream.stderr_tail) == STDERR_TAIL and stream.stderr_tail.endswith(b'{"forged": 1}\n')


def test_a_frame_over_the_cap_ends_the_stream_before_its_payload_is_read(
    pair: tuple[AttachStream, socket.socket],
) -> None:
    stream, agent = pair
    agent.sendall(HEADER.pack(STDOUT, CAP + 1))  # no payload follows: it must not be waited for
    with pytest.raises(StreamClosed, match="frame"):
        stream.receive(soon())


def test_a_line_growing_past_the_cap_in_small_frames_ends_the_stream(
    pair: tuple[AttachStream, socket.socket],
) -> None:
    stream, agent = pair
    agent.sendall(frame(b"y" * 600) + frame(b"y" * 600))
    with pytest.raises(StreamClosed, match="in one reply"):
        stream.receive(soon())


@pytest.mark.parametrize(("line", "message"), [(b"not json", "not JSON"), (b"[1, 2]", "not an object")])
def test_a_reply_that_is_not_a_json_object_ends_the_stream(
    pair: tuple[AttachStream, socket.socket], line: bytes, message: str
) -> None:
    stream, agent = pair
    agent.sendall(frame(line + b"\n"))
    with pytest.raises(StreamClosed, match=message):
        stream.receive(soon())


def test_once_keyed_an_unsigned_or_wrongly_signed_line_ends_the_stream(
    pair: tuple[AttachStream, socket.socket],
) -> None:
    stream, agent = pair
    stream.key = KEY
    agent.sendall(frame(signed(b'{"n": 1}') + b"\n"))
    assert stream.receive(soon()) == {"n": 1}
    forged = hmac.new(b"other", b'{"n": 2}', hashlib.sha256).hexdigest().encode() + b' {"n": 2}'
    for line in (b'{"n": 2}', forged):
        agent.sendall(frame(line + b"\n"))
        with pytest.raises(StreamClosed, match="not signed"):
            stream.receive(soon())


def test_a_closed_stream_and_a_passed_deadline_end_it(pair: tuple[AttachStream, socket.socket]) -> None:
    stream, agent = pair
    with pytest.raises(StreamClosed, match="in time"):
        stream.receive(time.monotonic() - 1)
    agent.sendall(frame(b'{"half'))
    agent.close()
    with pytest.raises(StreamClosed, match="closed"):
        stream.receive(soon())


def test_requests_are_one_line_each_and_signed_once_keyed(pair: tuple[AttachStream, socket.socket]) -> None:
    stream, agent = pair
    stream.send({"op": "run", "code": "print(1)\n"})
    stream.key = KEY
    stream.send({"op": "stop"})
    lines = agent.recv(65536).split(b"\n")
    assert json.loads(lines[0]) == {"op": "run", "code": "print(1)\n"}
    assert lines[1] == signed(b'{"op":"stop"}') and lines[2] == b""
