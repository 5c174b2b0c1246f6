"""A lean kernel: IPython's own InteractiveShell, spoken to over pipes instead of ZeroMQ.

Why not ipykernel: a Jupyter kernel is a ZeroMQ server (five sockets, a heartbeat thread,
an IOPub thread, a tornado loop) and the agent would need jupyter_client to talk to it.
Inside a sandbox that serves exactly one notebook for exactly one client, all of that is
start-up cost: about 0.45 s of CPU per sandbox under runc and 1.2 s under gVisor, measured.
What decides grades is IPython's ``run_cell``: the same input transformers, magics, display
formatters, display hook, ``In``/``Out`` history and traceback formatting that ipykernel
uses. This module keeps all of that and replaces only the transport.

The agent starts it as the learner's uid with four inherited descriptors:

- ``AUTOGRADE_KERNEL_FDS=req,msg``: requests arrive on ``req`` as JSON lines
  (``{"id": 3, "code": "...", "silent": false}``); messages leave on ``msg`` as JSON lines
  (``stream``, ``display_data``, ``execute_result``, ``error``, ``clear_output``, then
  ``done`` with the request's id and ``ok`` or ``error``).
- ``AUTOGRADE_ATTEST_FDS``: read by ``attest.py``, which runs in the user namespace before
  any learner code, exactly as ipykernel's ``exec_files`` ran it.

Its stdout and stderr (descriptors 1 and 2) are pipes that the agent reads as stream output,
so output written below Python (``os.system``, C extensions) is kept as ipykernel keeps it.
Everything this process says is untrusted, as every kernel's replies always were: a test
passes only on the signed record of the audit hook, never on a ``done`` line.
"""

import contextlib
import io
import json
import os
import select
import signal
import sys

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from learner_trace import learner_entries
from traitlets.config import Config

STREAM_CHUNK = 8192


class Messages:
    """The message pipe: one JSON object per line."""

    def __init__(self, fd):
        self.fd = fd

    def send(self, message):
        data = (json.dumps(message, default=repr, separators=(",", ":")) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]


class Stream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr``: buffered, sent as stream messages in order."""

    def __init__(self, name, messages):
        super().__init__()
        self.name = name
        self.messages = messages
        self.buffer_text = []
        self.size = 0

    @property
    def encoding(self):
        return "utf-8"

    def writable(self):
        return True

    def isatty(self):
        return False

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.buffer_text.append(text)
        self.size += len(text)
        if self.size >= STREAM_CHUNK:
            self.flush()
        return len(text)

    def flush(self):
        if self.buffer_text:
            text, self.buffer_text, self.size = "".join(self.buffer_text), [], 0
            self.messages.send({"type": "stream", "name": self.name, "text": text})


class Publisher(DisplayPublisher):
    """``display()`` and rich output: display_data messages, after pending text."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        flush_streams()
        self.shell.messages.send({"type": "display_data", "data": data, "metadata": metadata or {}})

    def clear_output(self, wait=False):
        flush_streams()
        self.shell.messages.send({"type": "clear_output"})


class ResultHook(DisplayHook):
    """A cell's value: an execute_result message with the execution count."""

    def start_displayhook(self):
        self.message = {
            "type": "execute_result",
            "execution_count": self.prompt_count,
            "data": {},
            "metadata": {},
        }

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self.message["data"] = format_dict
        self.message["metadata"] = md_dict or {}

    def finish_displayhook(self):
        flush_streams()
        self.shell.messages.send(self.message)
        self.message = None


class LeanShell(InteractiveShell):
    """IPython's shell with its output going to the message pipe."""

    displayhook_class = ResultHook
    display_pub_class = Publisher

    def _showtraceback(self, etype, evalue, stb):
        flush_streams()
        self.messages.send(
            {
                "type": "error",
                "ename": etype.__name__,
                "evalue": str(evalue),
                "traceback": learner_entries(stb),
            }
        )

    def ask_exit(self):
        self.exit_now = True  # exit() and quit(): the kernel ends after this cell

    def enable_gui(self, gui=None):
        pass  # no event loop to integrate with; matplotlib's inline backend needs none


def flush_streams():
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


class Server:
    """Reads requests, runs them with ``run_cell``, reports each with a done line."""

    def __init__(self, shell, requests, messages, answers=None):
        self.shell = shell
        self.requests = requests  # a descriptor: lines of JSON
        self.messages = messages
        self.answers = answers
        self.executing = False

    def on_interrupt(self, signum, frame):
        if self.executing:
            raise KeyboardInterrupt
        # between cells there is nothing to interrupt

    @contextlib.contextmanager
    def learner_code(self):
        """While learner code runs (a cell, or a call the judge asked for), SIGINT interrupts it."""
        self.executing = True
        try:
            yield
        finally:
            self.executing = False

    def serve(self):
        """Cells from the agent, and between them, the judge's questions (``answers.py``)."""
        pending = b""
        while True:
            watched = [self.requests] + ([self.answers.fd] if self.answers is not None else [])
            ready, _, _ = select.select(watched, [], [])
            if self.answers is not None and self.answers.fd in ready:
                self._answer()
            if self.requests not in ready:
                continue
            chunk = os.read(self.requests, 65536)
            if not chunk:
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                self.run(json.loads(line))
                if self.shell.exit_now:  # exit() or quit() in a cell ends the kernel, as in ipykernel
                    return

    def _answer(self):
        """Every question that has arrived: one read can bring several, and select sees none of the rest."""
        try:
            self.answers.serve_one()
            while self.answers.requests.buffer:
                self.answers.serve_one()
        except Exception:  # the judge's pipe broke: it no longer asks, cells still run
            self.answers = None
        flush_streams()

    def run(self, request):
        silent = bool(request.get("silent"))
        try:
            with self.learner_code():
                result = self.shell.run_cell(request["code"], store_history=not silent, silent=silent)
        except KeyboardInterrupt:
            result = None
        flush_streams()
        status = "ok" if result is not None and result.success else "error"
        self.messages.send({"type": "done", "id": request.get("id"), "status": status})


def start_shell(messages):
    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # In and Out as usual; nothing written to disk
    shell = LeanShell.instance(config=config)
    shell.messages = messages
    return shell


def rehearse():
    """Start a shell and run a cell with nothing listening; for ``preload.py`` at image build.

    Why: importing this module is not all a kernel's start imports. Starting the shell and
    running its first cell import about thirty more modules (sqlite3 for the history, the
    completer, the magics, tempfile and shutil under them), each found and read the slow way
    under gVisor unless the preload table holds it. Rehearsed before the table is written,
    they are in it.
    """
    import shutil
    import tempfile

    ipython_dir = tempfile.mkdtemp()
    os.environ["IPYTHONDIR"] = ipython_dir
    try:
        with open(os.devnull, "w") as sink:
            shell = start_shell(Messages(sink.fileno()))
            shell.run_cell("rehearsed = 1", store_history=True)
            LeanShell.clear_instance()
    finally:
        del os.environ["IPYTHONDIR"]
        shutil.rmtree(ipython_dir, ignore_errors=True)


def main(before_learner_code=None):
    """Serve requests; ``before_learner_code`` runs after the audit hook, before any cell."""
    request_fd, message_fd = (int(x) for x in os.environ.pop("AUTOGRADE_KERNEL_FDS").split(","))
    messages = Messages(message_fd)
    sys.stdout = Stream("stdout", messages)
    sys.stderr = Stream("stderr", messages)
    shell = start_shell(messages)
    server = Server(shell, request_fd, messages)
    answer_fds = os.environ.pop("AUTOGRADE_ANSWER_FDS", "")
    if answer_fds:
        import answers

        judge_requests, judge_replies = (int(x) for x in answer_fds.split(","))
        server.answers = answers.Answers(shell, judge_requests, judge_replies, server.learner_code)
    shell.kernel = server  # what attest.py guards alongside the shell
    signal.signal(signal.SIGINT, server.on_interrupt)
    attest = os.environ.pop("AUTOGRADE_BOOTSTRAP", "")
    if attest:
        shell.safe_execfile(attest, shell.user_ns, raise_exceptions=True)
    if before_learner_code is not None:
        before_learner_code()
    messages.send({"type": "ready"})
    server.serve()
    flush_streams()


if __name__ == "__main__":
    sys.exit("start lean_kernel through the agent: it needs the descriptors the agent hands over")
