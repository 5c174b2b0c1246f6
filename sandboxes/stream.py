"""Reading and writing a container's attach stream as lines of JSON, with size caps.

Without a TTY Docker multiplexes stdout and stderr into frames: an 8-byte header (stream
number, three zero bytes, big-endian length) and the payload. The agent's replies arrive on
stdout; stderr is kept only as a short tail for diagnostics. A line longer than the cap is
never buffered whole: the stream is declared broken instead, so a flood cannot reach the
worker's memory.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import struct
import time
from typing import Any

HEADER = struct.Struct(">BxxxL")
STDOUT, STDERR = 1, 2
STDERR_TAIL = 8192


class StreamClosed(Exception):
    """The container's stream ended, broke a cap, or said nothing in time."""


class AttachStream:
    def __init__(self, sock: socket.socket, max_line: int) -> None:
        self.sock = sock
        self.max_line = max_line
        self.buffer = bytearray()
        self.pending = bytearray()
        self.stderr_tail = b""
        self.key: bytes | None = None

    def send(self, message: dict[str, Any]) -> None:
        """Write one request line; once ``key`` is set it is signed like the replies."""
        data = json.dumps(message, separators=(",", ":")).encode()
        if self.key is not None:
            data = hmac.new(self.key, data, hashlib.sha256).hexdigest().encode() + b" " + data
        data += b"\n"
        try:
            self.sock.settimeout(30)
            self.sock.sendall(data)
        except OSError as exc:
            raise StreamClosed(f"could not write to the sandbox: {exc}") from exc

    def receive(self, deadline: float) -> dict[str, Any]:
        """The next JSON line from stdout, waiting until ``deadline`` (time.monotonic).

        Once ``key`` is set, a line must be ``<hex HMAC> <JSON>`` with a valid signature:
        anything else was not written by the agent and ends the stream.
        """
        line = self._next_line(deadline)
        if self.key is not None:
            mac, _, line = line.partition(b" ")
            expected = hmac.new(self.key, line, hashlib.sha256).hexdigest().encode()
            if not hmac.compare_digest(mac, expected):
                raise StreamClosed("a line on the sandbox's output was not signed by the agent")
        try:
            message = json.loads(line)
        except ValueError as exc:
            raise StreamClosed("the sandbox wrote a line that is not JSON") from exc
        if isinstance(message, dict):
            return message
        raise StreamClosed("the sandbox wrote JSON that is not an object")

    def _next_line(self, deadline: float) -> bytes:
        while True:
            newline = self.buffer.find(b"\n")
            if newline >= 0:
                line = bytes(self.buffer[:newline])
                del self.buffer[: newline + 1]
                return line
            if len(self.buffer) > self.max_line:
                raise StreamClosed(f"the sandbox wrote more than {self.max_line} bytes in one reply")
            self._read_frame(deadline)

    def _read_frame(self, deadline: float) -> None:
        stream, size = HEADER.unpack(self._read_exact(HEADER.size, deadline))
        if size > self.max_line:
            raise StreamClosed(f"the sandbox wrote a {size}-byte frame, over the {self.max_line}-byte cap")
        payload = self._read_exact(size, deadline)
        if stream == STDERR:
            self.stderr_tail = (self.stderr_tail + payload)[-STDERR_TAIL:]
        else:
            self.buffer += payload

    def _read_exact(self, size: int, deadline: float) -> bytes:
        while len(self.pending) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StreamClosed("the sandbox did not answer in time")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(max(65536, size - len(self.pending)))
            except TimeoutError as exc:
                raise StreamClosed("the sandbox did not answer in time") from exc
            except OSError as exc:
                raise StreamClosed(f"the sandbox stream broke: {exc}") from exc
            if not chunk:
                raise StreamClosed("the sandbox closed its stream")
            self.pending += chunk
        data = bytes(self.pending[:size])
        del self.pending[:size]
        return data
