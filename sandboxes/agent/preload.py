"""The agent's and the kernel's own modules, read from one file instead of found one by one.

Why: starting the lean kernel imports about 150 pure-Python modules (IPython, traitlets and
the standard library under them), the agent a few dozen more. Finding and loading each costs a dozen system calls
(stat the path entries, open, fstat, read, close), about 2,700 in all. Under gVisor every
system call is trapped by the sandbox kernel; measured in this image, the import took 370 ms
under runsc (60 ms under runc), and most of it was those calls. Built into the image, one
file holds the compiled code of exactly those modules; the kernel reads it once and the
import takes about 120 ms under runsc.

Nothing else changes: each module is still loaded by the standard ``SourceFileLoader`` for
its file in the image (same ``__file__``, ``__spec__``, source for tracebacks, resources),
only its code object comes from the file, taken at image build from that same loader. The
finder is removed before any learner code runs, so learners import as in any Python. The
kernel (``sandbox_agent.LAUNCH``) installs its table, the agent (the image's entry point) a
smaller one of its own; the audit hook installs a library's own file (numpy, pandas) while
it imports that library for a guard, which is also before any learner code.

A table is mapped, not read: an index at its head, then each module's code, so a process
touches only the pages of the code it loads and makes no copy of them. Under gVisor a page
a process touches first is a trapped fault; reading the whole table and unpacking it into
a dict of copies cost each process 30 to 40 ms of CPU under runsc. The peak memory of a
sandbox fell by 13 MB (``bench/speed.py``'s "peak MB per sandbox": 49 to 36 on runc, 71
to 58 on runsc).

Build (in the image): ``python -I preload.py build OUT``. Stdlib only, like the agent.
"""

import contextlib
import importlib.machinery
import importlib.util
import marshal
import mmap
import os
import sys

FORMAT = 2
HEAD = 8  # the index's length; then the index; then the modules' code, which its offsets count from


class _Loader(importlib.machinery.SourceFileLoader):
    """The standard loader for the module's file, with its code taken from the table."""

    def __init__(self, fullname, path, code):
        super().__init__(fullname, path)
        self._code = code  # a view of the mapped table

    def get_code(self, fullname):
        return marshal.loads(self._code)


class _Finder:
    def __init__(self, table, view):
        self.table = table
        self.view = view

    def find_spec(self, name, path=None, target=None):
        entry = self.table.get(name)
        if entry is None:
            return None
        origin, is_package, start, length = entry
        if not os.path.isfile(origin):  # not the image it was built for: find it as usual
            return None
        code = self.view[start : start + length]
        search = [os.path.dirname(origin)] if is_package else None
        return importlib.util.spec_from_file_location(
            name, origin, loader=_Loader(name, origin, code), submodule_search_locations=search
        )


def install(path):
    """Serve the table's modules until the returned function is called.

    Returns a no-op when the file is missing or was built by another interpreter: the
    modules are then imported from disk as usual, only slower.
    """
    try:
        header, table, codes = read(path)
    except (OSError, EOFError, ValueError, TypeError):
        return lambda: None
    if header != [FORMAT, sys.version] or any(
        start + length > len(codes) for _, _, start, length in table.values()
    ):
        return lambda: None  # another interpreter's table, or a cut one
    finder = _Finder(table, codes)
    sys.meta_path.insert(0, finder)

    def remove():
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
        table.clear()

    return remove


def read(path):
    """The table's header, its index and a view of the mapped code the index's offsets count from."""
    with open(path, "rb") as handle:
        view = memoryview(mmap.mmap(handle.fileno(), 0, prot=mmap.PROT_READ))
    size = int.from_bytes(view[:HEAD], "little")
    header, table = marshal.loads(view[HEAD : HEAD + size])
    return header, table, view[HEAD + size :]


def build(target, modules):
    """Import ``modules`` and write the code of every pure-Python module that came with them.

    ``module:function`` also calls that function of the module after importing it, for the
    modules that only a running kernel imports (``lean_kernel.rehearse``).
    """
    for spec in modules:
        name, _, function = spec.partition(":")
        module = importlib.import_module(name)
        if function:
            getattr(module, function)()
    table = {}
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        loader = getattr(spec, "loader", None)
        if not isinstance(loader, importlib.machinery.SourceFileLoader) or name == "__main__":
            continue
        code = marshal.dumps(loader.get_code(name))
        table[name] = (spec.origin, spec.submodule_search_locations is not None, code)
    index, codes, start = {}, [], 0
    for name, (origin, is_package, code) in sorted(table.items()):
        index[name] = (origin, is_package, start, len(code))
        codes.append(code)
        start += len(code)
    head = marshal.dumps(([FORMAT, sys.version], index))
    with open(target, "wb") as handle:
        handle.write(len(head).to_bytes(HEAD, "little") + head + b"".join(codes))
    return len(table)


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "build":
        sys.exit("usage: preload.py build OUT MODULE[:FUNCTION]...")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    print(f"preload: {build(sys.argv[2], sys.argv[3:])} modules in {sys.argv[2]}")
