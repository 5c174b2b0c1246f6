"""The learner's side of the judge's questions: runs in the kernel, so nothing here is trusted.

The judge asks for a name's value, calls a learner function, takes the next item of a
learner generator, or (where the assignment allows proxies) reads an attribute of a learner
object. Each answer is a frame: a header saying what kind of thing it is and, for a value,
the value encoded by ``values.py``. Whatever this module says, the judge checks: an honest
answer here is only what keeps honest work gradable, never what keeps the grade safe.

Output the learner's code prints while the judge waits is sent back with the answer, so
that the test cell shows it where it happened (and a test whose call writes to stderr
fails, as in nbgrader).
"""

import contextlib
import io
import os
import sys
import time
import types

import frames
import values
from learner_trace import learner_lines

REQUEST_WAIT = 10.0  # a request the judge started writing arrives whole well within this
TEXT_CAP = 64 * 1024  # an exception's message, a traceback line
OUTPUT_LIMIT = int(os.environ.get("AUTOGRADE_OUTPUT_LIMIT", str(1024 * 1024)))


class Captured(io.TextIOBase):
    """Python-level output during one answer, capped."""

    def __init__(self):
        super().__init__()
        self.parts, self.size, self.truncated = [], 0, False

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self.size < OUTPUT_LIMIT:
            self.parts.append(text[: OUTPUT_LIMIT - self.size])
        self.size += len(text)
        self.truncated = self.size > OUTPUT_LIMIT
        return len(text)

    def text(self):
        return "".join(self.parts)


class Answers:
    """Serves the judge's requests against the shell's user namespace."""

    def __init__(self, shell, request_fd, reply_fd, on_call=None):
        self.shell = shell
        self.requests = frames.FrameReader(request_fd, max_body=values.Caps().max_bytes)
        self.reply_fd = reply_fd
        self.handles = {}
        self.on_call = on_call or contextlib.nullcontext  # the kernel's "learner code runs now" marker

    @property
    def fd(self):
        return self.requests.fd

    def serve_one(self):
        """Answer one request (the caller saw the pipe readable)."""
        header, body = self.requests.read(time.monotonic() + REQUEST_WAIT)
        op = header.get("op")
        if op == "release":
            self.handles.clear()
            return
        reply, data = {"id": header.get("id")}, b""
        out, err = Captured(), Captured()
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            with self.on_call():
                found = self._perform(op, header, body)
            reply_part, data = self.describe(found, bool(header.get("proxies")))
            reply.update(reply_part)
        except _Missing:
            reply["kind"] = "missing"
        except BaseException as exc:  # the learner's code raised: the judge re-raises it by name
            reply.update(
                kind="raised", ename=type(exc).__name__, evalue=_safe_str(exc), traceback=learner_lines(exc)
            )
        finally:
            sys.stdout, sys.stderr = saved
        reply.update(stdout=out.text(), stderr=err.text(), truncated=out.truncated or err.truncated)
        frames.write_frame(self.reply_fd, reply, data, time.monotonic() + REQUEST_WAIT)

    def _perform(self, op, header, body):
        if op == "lookup":
            namespace = self.shell.user_ns
            name = header.get("name")
            if name not in namespace:
                raise _Missing
            return namespace[name]
        if op == "unbind":
            name = header.get("name")
            if name not in self.shell.user_ns:
                raise _Missing
            del self.shell.user_ns[name]
            return None
        target = self.handles[header.get("handle")]
        if op == "bind":
            self.shell.user_ns[str(header.get("name"))] = target
            return None
        if op == "call":
            args, kwargs = values.decode(body)
            for key, handle in dict(header.get("refs") or {}).items():
                if key.isdigit():
                    args[int(key)] = self.handles[handle]
                else:
                    kwargs[key] = self.handles[handle]
            return target(*args, **kwargs)
        if op == "next":
            return next(target)
        if op == "getattr":
            return getattr(target, str(header.get("name")))
        raise ValueError(f"unknown request {op!r}")

    def describe(self, value, proxies):
        """What the judge is told about a value: by value if it can be, else what it is."""
        if isinstance(value, types.ModuleType):
            return {"kind": "module", "module": value.__name__}, b""
        try:
            return {"kind": "value"}, values.encode(value)
        except values.Unsupported as exc:
            refused = exc
        except values.TooLarge as exc:
            return {"kind": "refused", "type": f"value too large to cross ({exc})"}, b""
        if _is_plain_iterator(value):
            return {"kind": "iterator", "handle": self._keep(value)}, b""
        if callable(value):
            return {
                "kind": "function",
                "handle": self._keep(value),
                "name": getattr(value, "__name__", ""),
            }, b""
        if proxies:
            return {"kind": "object", "handle": self._keep(value), "type": values.type_name(value)}, b""
        return {
            "kind": "refused",
            "type": getattr(refused, "type_name", None) or values.type_name(value),
        }, b""

    def _keep(self, value):
        handle = len(self.handles) + 1
        self.handles[handle] = value
        return handle


def _is_plain_iterator(value):
    """A generator, or an iterator of the builtins or itertools (``map``, ``zip``, ``iter(list)``)."""
    kind = type(value)
    return kind is types.GeneratorType or (
        not callable(value) and kind.__module__ in ("builtins", "itertools") and hasattr(kind, "__next__")
    )


class _Missing(Exception):
    pass


def _safe_str(exc):
    try:
        return str(exc)[:TEXT_CAP]
    except BaseException:
        return "(the exception's message could not be shown)"
