"""Preloaded modules load as the standard loader would, and leave no trace for learner code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.judging import Judging
from sandboxes.docker_sandbox import DockerSandbox, DockerSandboxFactory
from sandboxes.limits import SandboxLimits
from tests.conftest import SANDBOX_IMAGE
from tests.sandboxes.agent.test_lean_kernel import run, sandbox, texts  # noqa: F401  (the fixture)

AGENT = Path(__file__).resolve().parents[3] / "sandboxes" / "agent"


def make_package(root: Path) -> None:
    package = root / "pre_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pre_pkg.leaf import answer\n")
    (package / "leaf.py").write_text("def answer():\n    return 42\n")


def in_subprocess(root: Path, code: str) -> str:
    """Each case in a fresh interpreter, so sys.modules and sys.meta_path start clean."""
    prelude = f"import sys; sys.path[:0] = [{str(AGENT)!r}, {str(root)!r}]; import preload\n"
    done = subprocess.run(
        [sys.executable, "-I", "-c", prelude + code], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_preloaded_modules_have_their_files_source_and_package_paths(tmp_path: Path) -> None:
    make_package(tmp_path)
    table = tmp_path / "table.marshal"
    assert in_subprocess(tmp_path, f"print(preload.build({str(table)!r}, ['pre_pkg']))").isdigit()
    out = in_subprocess(
        tmp_path,
        f"done = preload.install({str(table)!r})\n"
        "import inspect, pre_pkg, pre_pkg.leaf\n"
        "finders = [type(f).__name__ for f in sys.meta_path]\n"
        "done()\n"
        "print(type(pre_pkg.__spec__.loader).__name__, pre_pkg.__path__ == [pre_pkg.__file__.rsplit('/', 1)[0]],\n"
        "      pre_pkg.answer(), 'return 42' in inspect.getsource(pre_pkg.leaf.answer),\n"
        "      '_Finder' in finders, any(type(f).__name__ == '_Finder' for f in sys.meta_path))",
    )
    assert out == "_Loader True 42 True True False"


def test_a_rehearsal_puts_the_modules_only_running_code_imports_in_the_table(tmp_path: Path) -> None:
    make_package(tmp_path)
    (tmp_path / "pre_pkg" / "late.py").write_text("LATE = True\n")
    (tmp_path / "pre_pkg" / "leaf.py").write_text(
        "def answer():\n    return 42\n\ndef rehearse():\n    import pre_pkg.late\n"
    )
    code = "print(sorted(n for n in preload.read({t!r})[1] if n.startswith('pre_pkg')))"
    plain, rehearsed = tmp_path / "plain.marshal", tmp_path / "rehearsed.marshal"
    in_subprocess(tmp_path, f"preload.build({str(plain)!r}, ['pre_pkg'])")
    in_subprocess(tmp_path, f"preload.build({str(rehearsed)!r}, ['pre_pkg', 'pre_pkg.leaf:rehearse'])")
    assert in_subprocess(tmp_path, code.format(t=str(plain))) == "['pre_pkg', 'pre_pkg.leaf']"
    assert (
        in_subprocess(tmp_path, code.format(t=str(rehearsed)))
        == "['pre_pkg', 'pre_pkg.late', 'pre_pkg.leaf']"
    )


@pytest.mark.parametrize(
    "damage", ["missing", "other interpreter", "garbage", "empty", "cut in the index", "cut in the code"]
)
def test_an_unusable_table_falls_back_to_ordinary_imports(tmp_path: Path, damage: str) -> None:
    make_package(tmp_path)
    table = tmp_path / "table.marshal"
    if damage == "other interpreter":
        import marshal

        head = marshal.dumps(
            ([2, "2.7.18"], {"pre_pkg": (str(tmp_path / "pre_pkg" / "__init__.py"), True, 0, 0)})
        )
        table.write_bytes(len(head).to_bytes(8, "little") + head)
    elif damage == "garbage":
        table.write_bytes(b"\x00not marshal")
    elif damage == "empty":
        table.write_bytes(b"")
    elif damage in ("cut in the index", "cut in the code"):
        in_subprocess(tmp_path, f"preload.build({str(table)!r}, ['pre_pkg'])")
        table.write_bytes(table.read_bytes()[: 20 if damage == "cut in the index" else -5])
    out = in_subprocess(
        tmp_path,
        f"preload.install({str(table)!r})\nimport pre_pkg\nprint(type(pre_pkg.__spec__.loader).__name__, pre_pkg.answer())",
    )
    assert out == "SourceFileLoader 42"


def test_a_process_maps_the_table_and_loads_only_the_code_it_imports(tmp_path: Path) -> None:
    make_package(tmp_path)
    (tmp_path / "pre_pkg" / "unused.py").write_text("UNUSED = True\n")
    table = tmp_path / "table.marshal"
    in_subprocess(tmp_path, f"preload.build({str(table)!r}, ['pre_pkg', 'pre_pkg.unused'])")
    out = in_subprocess(
        tmp_path,
        f"preload.install({str(table)!r})\nimport pre_pkg\n"
        "print(type(pre_pkg.__spec__.loader).__name__, pre_pkg.answer(), 'pre_pkg.unused' in sys.modules,\n"
        "      type(pre_pkg.__spec__.loader._code).__name__)",
    )
    assert out == "_Loader 42 False memoryview"


@pytest.mark.docker
def test_the_sandbox_kernel_started_from_the_table_and_learners_import_as_usual(
    sandbox: DockerSandbox,
) -> None:
    result = run(
        sandbox,
        "import sys, IPython, json\n"
        "print(type(IPython.__spec__.loader).__name__, type(json.__spec__.loader).__name__,\n"
        "      any(type(f).__name__ == '_Finder' for f in sys.meta_path))",
    )
    assert texts(result).split() == ["_Loader", "_Loader", "False"]
    started = run(  # imported by the shell's start and first cell, not by importing it (lean_kernel.rehearse)
        sandbox,
        "import sys\nprint(*(type(sys.modules[m].__spec__.loader).__name__\n"
        "        for m in ('sqlite3', 'tempfile', 'IPython.core.completer', 'IPython.core.magics', 'unittest')))",
    )
    assert texts(started).split() == ["_Loader"] * 5
    fresh = run(sandbox, "import fractions\nprint(type(fractions.__spec__.loader).__name__)")
    assert texts(fresh).strip() == "SourceFileLoader"


AGENT_OWN = ("kernel", "judged", "outputs", "attestations", "frames", "judge_link", "sealing")


@pytest.mark.parametrize("module", ["preload.py", "sandbox_agent.py", *(f"{name}.py" for name in AGENT_OWN)])
def test_what_loads_before_the_table_is_stdlib_only(module: str) -> None:
    """The agent starts before anything can be preloaded, in an image with only what it needs.

    Its own modules beside it count as its own, and each of them is checked here too.
    """
    tree = ast.parse((AGENT / module).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    own = {path.stem for path in AGENT.glob("*.py")}
    assert imported - own and imported - own <= sys.stdlib_module_names, (
        imported - own - sys.stdlib_module_names
    )
    assert imported & own <= set(AGENT_OWN), "the agent imports only these of its own modules"


@pytest.mark.docker
@pytest.mark.parametrize("library", ["numpy", "pandas"])
def test_a_guarded_library_loads_from_its_own_table_before_learner_code(
    docker_client: Any, library: str
) -> None:
    limits = SandboxLimits(image=SANDBOX_IMAGE, memory_mb=512)
    factory = DockerSandboxFactory(docker_client, limits, worker=f"test-preload-{library}")
    probe = (
        f"import sys, {library}\n"
        f"print(type({library}.__spec__.loader).__name__, {library}.testing.__name__,\n"
        "      any(type(f).__name__ == '_Finder' for f in sys.meta_path))"
    )
    with factory.open() as opened:  # in-process: the kernel imports it for its snapshot
        opened.guard([library, f"{library}.testing"], Judging("in-process"))
        result = run(opened, probe)
    assert texts(result).split() == ["_Loader", f"{library}.testing", "False"]
    with factory.open() as opened:  # judged: the judge imports it, from its table, before any test
        opened.guard([library, f"{library}.testing"])
        judged = opened.run_test(probe, timeout=30)
    assert texts(judged).split() == ["_Loader", f"{library}.testing", "False"]
