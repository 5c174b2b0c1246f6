"""Kernel bootstrap: an audit hook that attests test cells and guards the grading machinery.

The lean kernel runs this file in the user namespace before any learner code, as
ipykernel's ``exec_files`` would. It reads a one-time key from a pipe, snapshots the objects
that decide whether a test passed (IPython's classes and modules, the lean kernel's, builtins,
the test helpers of numpy and pandas), and installs an audit hook. Audit hooks cannot be
removed from Python code, and this one refuses the primitives that would reach it or its key
(gc object walks, tracing and profiling, raw memory access through ctypes, /proc/*/mem).

Each test cell the agent sends starts with ``sys.audit('autograde.begin', NONCE)``; after the
cell, the agent sends ``sys.audit('autograde.verify', NONCE)`` as a silent cell. For each event
the hook checks that it came from a cell's own top-level code run by IPython's ``run_code``
in the main thread, compares the snapshot, and for ``verify`` reads the cell's execution
result. It writes a record signed with the key to a pipe only the agent reads. Learner code
can write to that pipe too, but cannot sign: a test passes only on a valid record.

Everything is built inside one function, deleted afterwards, so nothing is left in the
learner's namespace; the key lives only in the hook's closure, which no unaudited path reaches.
"""


def _autograde_install():
    import builtins
    import contextlib
    import hashlib
    import hmac
    import importlib
    import json
    import os
    import sys
    import threading
    import types

    key_fd, out_fd = (int(x) for x in os.environ.pop("AUTOGRADE_ATTEST_FDS").split(","))
    # under memory pressure the kernel goes first, not the agent
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as handle:
        handle.write("1000")
    key = os.read(key_fd, 64)
    os.close(key_fd)
    write, new_mac, dumps = os.write, hmac.new, json.dumps
    getframe, get_ident, main_ident, getpid = (
        sys._getframe,
        threading.get_ident,
        threading.get_ident(),
        os.getpid,
    )
    shell = get_ipython()  # noqa: F821 - exec_files runs in the kernel's user namespace
    kernel = shell.kernel
    from IPython.core.interactiveshell import ExecutionResult, InteractiveShell

    run_code = InteractiveShell.run_code.__code__
    guarded_modules = [builtins]
    for name in (
        "IPython.core.interactiveshell",
        "IPython.core.compilerop",
        "IPython.core.inputtransformer2",
        "IPython.core.displayhook",
        "IPython.core.displaypub",
        "IPython.core.ultratb",
        "IPython.core.async_helpers",
        "lean_kernel",
        "ast",
        "codeop",
        "math",
        "unittest",
    ):
        with contextlib.suppress(Exception):  # a library the image lacks is simply not guarded
            guarded_modules.append(importlib.import_module(name))
    # IPython and ipykernel swap these around every cell; they decide nothing about a test.
    trapped = {
        "_",
        "__",
        "___",
        "exit",
        "quit",
        "get_ipython",
        "display",
        "__IPYTHON__",
        "input",
        "raw_input",
        "_save_getpass",
        "_save_input",
        "_save_raw_input",
    }
    callable_kinds = (types.FunctionType, types.BuiltinFunctionType, classmethod, staticmethod, property)

    def snapshot():
        items = {}
        for module in guarded_modules:
            for attr, value in list(vars(module).items()):
                if attr not in trapped:
                    items[("module", module.__name__, attr)] = value
                if isinstance(value, type) and getattr(value, "__module__", None) == module.__name__:
                    for cattr, cvalue in list(vars(value).items()):
                        if isinstance(cvalue, callable_kinds):
                            items[("class", value.__qualname__, cattr)] = cvalue
        for label, obj in (("shell", shell), ("kernel", kernel)):
            for attr, value in list(vars(obj).items()):
                if callable(value) and not isinstance(value, type) and attr not in trapped:
                    items[(label, "", attr)] = value
        items[("list", "", "ast_transformers")] = tuple(shell.ast_transformers)
        items[("list", "", "input_transformers_post")] = tuple(shell.input_transformers_post)
        items[("list", "", "input_transformers_cleanup")] = tuple(shell.input_transformers_cleanup)
        items[("list", "", "custom_exceptions")] = tuple(shell.custom_exceptions)
        return items

    pristine = snapshot()
    # Libraries that cost real start-up time (numpy, pandas) are guarded on request, once,
    # by the agent, before the first learner cell: see grader/guards.py.
    guardable = {"numpy", "numpy.testing", "pandas", "pandas.testing"}
    guard_used = []

    def preloaded(library):
        """The library's modules from the image's preloaded file (agent/preload.py), if any."""
        loader = sys.modules.get("preload")
        if loader is None:
            return lambda: None
        return loader.install(os.path.join(os.path.dirname(loader.__file__), f"preloaded-{library}.marshal"))

    def guard(nonce, names):
        record = {
            "event": "guard",
            "nonce": nonce,
            "verdict": "ok",
            "detail": "",
            "pid": getpid(),
            "modules": [],
        }
        if guard_used or not caller_is_cell():
            record.update(verdict="forged", detail="a guard request after the first, or not from a cell")
        else:
            guard_used.append(True)
            wanted = [name for name in names.split(",") if name in guardable]
            removers = [preloaded(library) for library in sorted({name.split(".")[0] for name in wanted})]
            for name in wanted:
                with contextlib.suppress(Exception):
                    guarded_modules.append(importlib.import_module(name))
                    record["modules"].append(name)
            for remove in removers:
                remove()
            pristine.clear()
            pristine.update(snapshot())  # no learner code has run in this kernel yet
        sign(record)

    def tampering():
        now = snapshot()
        changed = []
        for where, value in pristine.items():
            current = now.get(where, value)
            same = current == value if where[0] == "list" else current is value
            if not same:
                changed.append(".".join(part for part in where[1:] if part))
        for where in now.keys() - pristine.keys():
            if where[0] in ("shell", "kernel"):
                changed.append(f"{where[0]}.{where[2]}")
        return sorted(changed)[:10]

    def sign(record):
        body = dumps(record, sort_keys=True, separators=(",", ":"))
        mac = new_mac(key, body.encode(), hashlib.sha256).hexdigest()
        data = (dumps({"body": body, "mac": mac}) + "\n").encode()
        while data:
            data = data[write(out_fd, data) :]

    def caller_is_cell():
        if get_ident() != main_ident:
            return False
        frame = getframe(3)  # 0: here, 1: attest, 2: the hook, 3: the code that called sys.audit
        return (
            frame.f_code.co_name == "<module>"
            and frame.f_back is not None
            and frame.f_back.f_code is run_code
        )

    def attest(event, nonce):
        record = {"event": event, "nonce": nonce, "verdict": "ok", "detail": "", "pid": getpid()}
        changed = tampering()
        if not caller_is_cell():
            record.update(verdict="forged", detail="the attestation was not raised by a cell's own code")
        elif changed:
            record.update(verdict="tampered", detail="modified: " + ", ".join(changed))
        elif event == "verify":
            record.update(judge(nonce))
        sign(record)

    def judge(nonce):
        result = shell.last_execution_result
        if type(result) is not ExecutionResult or nonce not in (result.info.raw_cell or ""):
            return {"verdict": "forged", "detail": "the last execution result is not the test's"}
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            return {"verdict": "error", "detail": type(error).__name__}
        return {}

    blocked = {
        "sys.settrace",
        "sys.setprofile",
        "sys._current_frames",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "ctypes.cdata",
        "ctypes.string_at",
        "ctypes.wstring_at",
    }
    import ctypes

    raw_memory = {ctypes._memmove_addr, ctypes._memset_addr, ctypes._cast_addr, ctypes._string_at_addr}

    def hook(event, args):
        if event in blocked:
            raise RuntimeError(f"{event} is not allowed while grading")
        if event == "ctypes.call_function" and args and args[0] in raw_memory:
            raise RuntimeError("raw memory access is not allowed while grading")
        if (
            event == "open"
            and args
            and isinstance(args[0], str)
            and args[0].startswith("/proc/")
            and args[0].endswith("/mem")
        ):
            raise RuntimeError("process memory is not readable while grading")
        if event in ("autograde.begin", "autograde.verify") and len(args) == 1 and type(args[0]) is str:
            attest(event.split(".", 1)[1], args[0])
        elif event == "autograde.guard" and len(args) == 2 and type(args[0]) is str and type(args[1]) is str:
            guard(args[0], args[1])

    sys.addaudithook(hook)


_autograde_install()
del _autograde_install
