"""The judge: runs the instructor's test cells in a process that never runs learner code.

Why a process of its own: inside one interpreter learner code can always reach the code
that decides a test (frames, raw memory through trusted libraries, finalizers, values that
lie), so no check there holds. The agent starts the judge as its own uid (not the
learner's), non-dumpable, with its imports from the image only (``-I``), a private working
directory, and no descriptor the learner can open: its link to the agent is a socket (which
``/proc/<pid>/fd`` cannot open) and its link to the learner's kernel a pair of pipes made
by the agent (uid 0), which another uid cannot open either.

A test cell is compiled and run here, in a namespace whose missing names are asked of the
learner's kernel (``learner.py``): plain data comes back by value and is rebuilt here as
fresh objects of exact types (``values.py``); a learner function becomes a ``Stub`` whose
call runs in the learner's process, its arguments and result crossing by value; a module
is imported here, by name, from the image. Builtins always win over learner names, so a
test's ``len`` or ``isinstance`` is never the learner's. Definitions from the instructor's
trusted cells (imports, functions, classes, literal constants) arrive before the tests and
live here too, so helpers a test calls are the instructor's, not the learner's copies.

Whatever the learner's side does wrong (a value that is not carried, a malformed frame, no
answer in time) is a ``Refused``: a ``BaseException``, so that a test's own ``except``
cannot quietly absorb it, and recorded, so that even a test that does absorb it fails
closed. Stdlib only, plus numpy and pandas from the image when a value needs them.
"""

import ast
import builtins
import contextlib
import ctypes
import importlib
import io
import os
import signal
import sys
import textwrap
import time

import frames
import values

PR_SET_DUMPABLE = 4
OUTPUT_LIMIT = int(os.environ.get("AUTOGRADE_OUTPUT_LIMIT", str(1024 * 1024)))
TEXT_CAP = 64 * 1024  # a learner's exception message or traceback, as shown in feedback
FILENAME = "<test>"
# What a learner's name may make the judge import (beyond what it has imported already).
IMPORTABLE = frozenset(
    [
        "numpy",
        "pandas",
        "scipy",
        "sklearn",
        "matplotlib",
        "math",
        "cmath",
        "statistics",
        "random",
        "decimal",
        "fractions",
        "numbers",
        "itertools",
        "functools",
        "operator",
        "collections",
        "string",
        "re",
        "datetime",
        "time",
        "json",
        "csv",
        "heapq",
        "bisect",
        "copy",
        "typing",
        "dataclasses",
        "enum",
        "array",
        "textwrap",
        "unicodedata",
    ]
)


class Refused(BaseException):
    """The learner's side gave something the judge will not take; the test fails closed."""


class TimedOut(BaseException):
    """The learner's code did not answer before the test's time ran out: a timeout, not a lie."""


class Outputs:
    """A test's outputs in nbformat's shape, capped like the kernel's."""

    def __init__(self):
        self.items, self.size, self.truncated = [], 0, False

    def add(self, output):
        size = sum(len(str(v)) for v in output.values())
        if self.size + size > OUTPUT_LIMIT:
            self.truncated = True
            return
        self.size += size
        last = self.items[-1] if self.items else None
        if output["output_type"] == "stream" and last and last.get("name") == output["name"]:
            last["text"] += output["text"]
        else:
            self.items.append(output)

    def stream(self, name, text):
        if text:
            self.add({"output_type": "stream", "name": name, "text": text})


class Capture(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` while a test runs: text goes to its outputs."""

    def __init__(self, name, outputs):
        super().__init__()
        self.name, self.outputs = name, outputs

    def writable(self):
        return True

    def write(self, text):
        self.outputs.stream(self.name, str(text))
        return len(text)


class Learner:
    """The pipes to the learner's kernel: one request, one reply, matched by id."""

    def __init__(self, request_fd, reply_fd, proxies):
        self.request_fd = request_fd
        # a header carries what the learner's code printed meanwhile: up to the output limit, twice
        self.replies = frames.FrameReader(reply_fd, values.Caps().max_bytes, 2 * OUTPUT_LIMIT + 65536)
        self.proxies = proxies
        self.next_id = 0
        self.poisoned = ""  # once set, nothing more is asked or believed
        self.refusals = []
        self.timed_out = False
        self.gone = False
        self.outputs = None
        self.deadline = 0.0

    def refuse(self, reason):
        self.refusals.append(reason)
        raise Refused(reason)

    def ask(self, header, body=b""):
        """Send a request; the reply's header and body. Refuses on any fault of the other side."""
        if self.poisoned:
            self.refuse(self.poisoned)
        self.next_id += 1
        header = {**header, "id": self.next_id, "proxies": self.proxies}
        try:
            frames.write_frame(self.request_fd, header, body, self.deadline)
            while True:
                reply, data = self.replies.read(self.deadline)
                if type(reply.get("id")) is int and reply["id"] < self.next_id:
                    continue  # the late answer to a request that timed out
                if reply.get("id") != self.next_id:
                    raise frames.Broken("an answer to a request that was not made")
                break
        except frames.Stalled:
            if self.replies.buffer:  # part of an answer, never the rest: the framing is lost
                self.poisoned = "the learner's process sent part of an answer and stopped"
                self.refuse(self.poisoned)
            self.timed_out = True
            raise TimedOut from None
        except (frames.Broken, OSError) as exc:
            self.gone = isinstance(exc, frames.Closed)  # most likely it died: the agent will know
            self.poisoned = f"the channel to the learner's process broke ({exc})"
            self.refuse(self.poisoned)
        self._take_output(reply)
        return reply, data

    def release(self):
        """Tell the learner's side it may drop the handles this cell made; no answer is awaited."""
        if self.poisoned or not self.next_id:
            return
        self.next_id += 1
        with contextlib.suppress(frames.Broken, OSError):
            frames.write_frame(
                self.request_fd, {"op": "release", "id": self.next_id}, b"", time.monotonic() + 1
            )

    def _take_output(self, reply):
        if self.outputs is None:
            return
        for name in ("stdout", "stderr"):
            text = reply.get(name)
            if type(text) is str:
                self.outputs.stream(name, text[:OUTPUT_LIMIT])
        if reply.get("truncated") is True:
            self.outputs.truncated = True

    def resolve(self, reply, data, what, handed_back=False):
        """Turn a reply into what the test sees: a value, a stub, a module, or an exception.

        A name may be a learner function (a stub); something a call ``handed_back`` may not:
        the judge does not call back into whatever a learner's result turns out to be.
        """
        kind = reply.get("kind")
        if handed_back and kind == "function":
            self.refuse(
                f"{what} is a callable ({_text(reply.get('name')) or 'unnamed'}), which the judge does not call"
            )
        if kind == "value":
            try:
                return values.decode(data)
            except values.BoundaryError as exc:
                self.refuse(f"{what} sent a value the judge refused: {exc}")
        if kind == "function":
            return Stub(self, self._handle(reply), _text(reply.get("name")) or what)
        if kind == "iterator":
            return RemoteIterator(self, self._handle(reply), what)
        if kind == "object" and self.proxies:
            return RemoteObject(self, self._handle(reply), _text(reply.get("type")))
        if kind == "module":
            return self._import(_text(reply.get("module")), what)
        if kind == "raised":
            raise _rebuild_exception(reply)
        if kind == "refused":
            self.refuse(
                f"{what} is a {_text(reply.get('type')) or 'value'}, which does not cross to the judge"
            )
        self.refuse(f"the learner's process answered {what} with an unknown kind {str(kind)[:40]!r}")

    def _handle(self, reply):
        handle = reply.get("handle")
        if type(handle) is not int:
            self.refuse("the learner's process sent a handle that is not an integer")
        return handle

    def _import(self, name, what):
        """A module the learner's name refers to, imported here from the image, never theirs.

        Only one the judge has already imported, or one of the libraries tests compute with: the
        name is the learner's choice, and importing some modules does things (``antigravity``
        starts a browser, ``this`` prints), which a learner must not be able to make the judge do.
        """
        if not name or not all(part.isidentifier() for part in name.split(".")):
            self.refuse(f"{what} names a module the judge cannot import")
        if name not in sys.modules and name.split(".")[0] not in IMPORTABLE:
            self.refuse(
                f"{what} is the module {name!r}, which the judge does not import for a learner's name"
            )
        try:
            return importlib.import_module(name)
        except Exception as exc:  # the learner's own module (a file they wrote) is not in the image
            self.refuse(
                f"{what} is the module {name!r}, which the judge cannot import ({type(exc).__name__})"
            )

    def encode(self, value, what):
        try:
            return values.encode(value)
        except values.BoundaryError as exc:
            self.refuse(f"the test passes {what} a value that cannot cross to the learner's process ({exc})")


def _text(value):
    return value[:TEXT_CAP] if type(value) is str else ""


def _rebuild_exception(reply):
    """The learner's exception, as the builtin class of that name with its message."""
    name, message = _text(reply.get("ename")), _text(reply.get("evalue"))
    cls = getattr(builtins, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)) or name == "StopIteration":
        cls = LearnerError
        message = f"{name}: {message}" if name else message
    exc = cls(message)
    lines = reply.get("traceback")
    exc.learner_traceback = [_text(line) for line in lines[:200]] if type(lines) is list else []
    return exc


class LearnerError(Exception):
    """An exception raised by learner code whose class is not a builtin one."""


class Stub:
    """A learner function: calling it runs it in the learner's process, by value both ways."""

    def __init__(self, learner, handle, name):
        self._learner, self._handle, self._name = learner, handle, name

    def __call__(self, *args, **kwargs):
        """A learner function passed as an argument goes back as its handle: it is theirs already."""
        refs = {}
        plain = [None if type(a) is Stub else a for a in args]
        named = {k: None if type(v) is Stub else v for k, v in kwargs.items()}
        for key, value in [*enumerate(args), *kwargs.items()]:
            if type(value) is Stub:
                refs[str(key)] = value._handle
        body = self._learner.encode([plain, named], self._name)
        reply, data = self._learner.ask({"op": "call", "handle": self._handle, "refs": refs}, body)
        return self._learner.resolve(reply, data, f"the result of {self._name}()", handed_back=True)

    def __repr__(self):
        return f"<learner function {self._name}>"


class RemoteIterator:
    """A generator the learner's code returned: each ``next`` is asked of the learner's process."""

    def __init__(self, learner, handle, what):
        self._stub = Stub(learner, handle, what)

    def __iter__(self):
        return self

    def __next__(self):
        reply, data = self._stub._learner.ask({"op": "next", "handle": self._stub._handle})
        if reply.get("kind") == "raised" and reply.get("ename") == "StopIteration":
            raise StopIteration
        return self._stub._learner.resolve(
            reply, data, "a value the learner's generator yielded", handed_back=True
        )


class RemoteObject:
    """A learner object, reached by attribute and method call only (per-assignment opt-in).

    It has no comparison, hash or truth of its own: those would be the learner's to decide.
    """

    def __init__(self, learner, handle, type_name):
        object.__setattr__(self, "_remote", (learner, handle, type_name))

    def __getattr__(self, name):
        learner, handle, type_name = object.__getattribute__(self, "_remote")
        reply, data = learner.ask({"op": "getattr", "handle": handle, "name": name})
        return learner.resolve(reply, data, f"{type_name}.{name}")

    def _no(self, *args):
        learner, _, type_name = object.__getattribute__(self, "_remote")
        learner.refuse(
            f"a test compared or tested the truth of a {type_name}, which only the learner's code could decide"
        )

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __hash__ = _no


class Namespace(dict):
    """A test's globals: its own names first, then builtins, then the learner's, asked each time.

    A test may also rearrange the learner's names, as nbgrader's own documentation course
    does to check that one function uses another (``orig = squares; del squares; ...;
    squares = orig``): deleting a name the test did not bind deletes it in the learner's
    namespace, and binding a learner function to a name binds it there. Neither gives the
    learner anything: it is their namespace, and what comes back is still checked.
    """

    def __init__(self, learner):
        super().__init__(__builtins__=builtins, __name__="__main__")
        self.learner = learner

    def __setitem__(self, name, value):
        if type(value) is Stub and type(name) is str:
            self.learner.ask({"op": "bind", "name": name, "handle": value._handle})
            self.pop(name, None)  # from now on the name is the learner's again, asked for when read
            return
        super().__setitem__(name, value)

    def __delitem__(self, name):
        if dict.__contains__(self, name):
            super().__delitem__(name)
            return
        reply, _ = self.learner.ask({"op": "unbind", "name": str(name)})
        if reply.get("kind") == "missing":
            raise KeyError(name)

    def __missing__(self, name):
        if type(name) is not str or hasattr(builtins, name):
            raise KeyError(name)
        reply, data = self.learner.ask({"op": "lookup", "name": name})
        if reply.get("kind") == "missing":
            raise KeyError(name)
        return self.learner.resolve(reply, data, repr(name))


class Judge:
    """One notebook's judging: its namespace, definitions and tests, in the order they came."""

    def __init__(self, learner):
        self.learner = learner
        self.namespace = Namespace(learner)
        self.running = False

    def define(self, code, deadline):
        """Run the definitions of a trusted cell; a failure leaves names to the learner's side."""
        outputs = Outputs()
        status, _ = self._run(code, deadline, outputs, keep_last=False)
        return {"status": status}

    def test(self, code, deadline):
        outputs = Outputs()
        status, refusal = self._run(code, deadline, outputs, keep_last=True)
        reply = {
            "status": status,
            "outputs": outputs.items,
            "truncated": outputs.truncated,
            "learner_stalled": self.learner.timed_out,
            "learner_gone": self.learner.gone,
        }
        if refusal:  # a lie outranks a timeout: it is flagged for a person
            reply.update(status="refused", detail=refusal)
        return reply

    def _run(self, code, deadline, outputs, keep_last):
        learner = self.learner
        learner.outputs, learner.deadline, learner.refusals, learner.timed_out = outputs, deadline, [], False
        status = "ok"
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = Capture("stdout", outputs), Capture("stderr", outputs)
        self.running = True
        try:
            try:
                body, last = _split(code)
            except SyntaxError as exc:
                learner.refusals.append(
                    f"the cell is not plain Python ({exc.msg}, line {exc.lineno}); "
                    "IPython syntax needs the in-process mode"
                )
                raise
            exec(body, self.namespace)
            if keep_last and last is not None:
                value = eval(last, self.namespace)
                if value is not None:
                    outputs.add(_result(value))
        except Refused as exc:
            if not learner.refusals:
                learner.refusals.append(str(exc))
            status = "refused"
        except (TimedOut, KeyboardInterrupt):  # KeyboardInterrupt: the agent's SIGINT at the deadline
            status = "timeout"
        except BaseException as exc:  # the test failed: that is its verdict, not the judge's fault
            status = "error"
            outputs.add(_error(exc))
        finally:
            self.running = False
            sys.stdout, sys.stderr = saved
            learner.release()
        if learner.timed_out:
            status = "timeout"  # even where the test caught it
        return status, "; ".join(learner.refusals[:3])

    def on_interrupt(self, signum, frame):
        if self.running:
            raise KeyboardInterrupt


def _split(code):
    """The cell compiled as IPython runs it: statements, then its last expression's value shown."""
    tree = ast.parse(textwrap.dedent(code), FILENAME)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = compile(ast.Expression(tree.body.pop().value), FILENAME, "eval")
    return compile(tree, FILENAME, "exec"), last


def _result(value):
    return {
        "output_type": "execute_result",
        "data": {"text/plain": repr(value)},
        "metadata": {},
        "execution_count": None,
    }


def _error(exc):
    name, message = type(exc).__name__, str(exc)
    lines = list(getattr(exc, "learner_traceback", None) or [])  # ends with the exception's own line
    if not lines:
        lines.append(f"{name}: {message}" if message else name)
    return {"output_type": "error", "ename": name, "evalue": message, "traceback": lines}


def preload(modules):
    """Import the libraries the tests use ahead of the first test, from the image's tables."""
    loader = sys.modules.get("preload")
    done = []
    for library in sorted({m.split(".")[0] for m in modules}):
        remove = (
            loader.install(os.path.join(os.path.dirname(loader.__file__), f"preloaded-{library}.marshal"))
            if loader
            else None
        )
        try:
            for name in modules:
                if name.split(".")[0] == library:
                    with contextlib.suppress(Exception):
                        importlib.import_module(name)
                        done.append(name)
        finally:
            if remove is not None:
                remove()
    return done


def serve(control, learner_fds, proxies):
    reader = frames.FrameReader(control, max_body=0)
    judge = Judge(Learner(*learner_fds, proxies))
    signal.signal(signal.SIGINT, judge.on_interrupt)
    frames.write_frame(control, {"op": "ready"})
    while True:
        try:
            request, _ = reader.read(float("inf"))
        except frames.Broken:
            return 0  # the agent is gone: so is this sandbox
        op, deadline = request.get("op"), time.monotonic() + float(request.get("timeout") or 30)
        reply = {"id": request.get("id")}
        if op == "test":
            reply.update(judge.test(str(request.get("code", "")), deadline))
        elif op == "define":
            reply.update(judge.define(str(request.get("code", "")), deadline))
        elif op == "preload":
            reply.update(status="ok", modules=preload([str(m) for m in request.get("modules", [])]))
        elif op == "configure":
            judge.learner.proxies = request.get("proxies") is True
            reply.update(status="ok")
        elif op == "exit":
            return 0
        else:
            reply.update(status="bad_request")
        frames.write_frame(control, reply)


def main():
    with contextlib.suppress(OSError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    control, request_fd, reply_fd = (int(x) for x in os.environ.pop("AUTOGRADE_JUDGE_FDS").split(","))
    proxies = os.environ.pop("AUTOGRADE_JUDGE_PROXIES", "") == "1"
    return serve(control, (request_fd, reply_fd), proxies)
