"""Length-prefixed frames between the judge, the agent and the learner's kernel.

A frame is a 4-byte big-endian length, a JSON header object of at most ``MAX_HEADER``
bytes, another 4-byte length and a body of raw bytes (an encoded value, or nothing). The
reader never trusts a length: each is checked against its cap before a byte of what it
announces is read, and every read has a deadline. A reader that meets anything else (a
short read, a cap broken, a header that is not a JSON object) raises ``Broken``; the channel
is then never read again, since its framing can no longer be trusted.

Stdlib only: the agent, the judge and the kernel all import it from the image.
"""

import json
import os
import select
import struct
import time

LENGTH = struct.Struct(">I")
MAX_HEADER = 64 * 1024
MAX_BODY = 64 * 1024 * 1024


class Broken(Exception):
    """The other end broke the framing, stopped answering in time, or went away."""


class Stalled(Broken):
    """Nothing complete arrived before the deadline."""


class Closed(Broken):
    """The other end closed: every writer of the pipe or socket is gone."""


def write_frame(fd, header, body=b"", deadline=None):
    """Write one whole frame; a reader that stops reading cannot hold the writer past ``deadline``."""
    head = json.dumps(header, separators=(",", ":")).encode()
    view = memoryview(LENGTH.pack(len(head)) + head + LENGTH.pack(len(body)) + body)
    os.set_blocking(fd, False)
    while view:
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            remaining = 1.0 if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                raise Stalled("the other end stopped reading") from None
            select.select([], [fd], [], min(remaining, 1.0))


class FrameReader:
    """Reads frames from one descriptor, keeping what arrived beyond the current frame."""

    def __init__(self, fd, max_body=MAX_BODY, max_header=MAX_HEADER):
        self.fd = fd
        self.max_body = max_body
        self.max_header = max_header
        self.buffer = bytearray()
        os.set_blocking(fd, False)

    def read(self, deadline):
        """The next ``(header, body)``; raises ``Stalled`` at ``deadline`` (time.monotonic).

        A frame is taken only once it is whole, so a ``Stalled`` read loses nothing: the
        next call carries on where this one stopped.
        """
        head = self._length(0, deadline, self.max_header, "header")
        body = self._length(LENGTH.size + head, deadline, self.max_body, "body")
        end = 2 * LENGTH.size + head + body
        self._fill(end, deadline)
        frame = bytes(self.buffer[:end])
        del self.buffer[:end]
        try:
            header = json.loads(frame[LENGTH.size : LENGTH.size + head])
        except (ValueError, RecursionError) as exc:
            raise Broken("a frame header that is not JSON") from exc
        if type(header) is not dict:
            raise Broken("a frame header that is not a JSON object")
        return header, frame[end - body :]

    def _length(self, at, deadline, cap, what):
        self._fill(at + LENGTH.size, deadline)
        (size,) = LENGTH.unpack(bytes(self.buffer[at : at + LENGTH.size]))
        if size > cap:
            raise Broken(f"a frame {what} of {size} bytes, over the {cap}-byte cap")
        return size

    def _fill(self, size, deadline):
        while len(self.buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Stalled("no answer in time")
            ready, _, _ = select.select([self.fd], [], [], min(remaining, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, max(65536, size - len(self.buffer)))
            except BlockingIOError:
                continue
            except OSError as exc:
                raise Broken(f"the channel broke: {exc}") from exc
            if not chunk:
                raise Closed("the other end closed the channel")
            self.buffer += chunk
