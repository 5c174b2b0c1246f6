"""The layering contracts (issue 22): checked statically by import-linter, and by importing for real.

``.importlinter`` holds the contracts. The static check sees every import in the source; the
subprocess check sees what importing the web app really loads, since a transitive import
through a worker module is how the Docker SDK once slipped into the web process.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT = "import sys; from importlinter.cli import lint_imports_command; sys.argv[1:] = ['--no-cache']; sys.exit(lint_imports_command())"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", LINT], cwd=root, capture_output=True, text=True, timeout=300)


def packages() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config["importlinter"]["root_packages"].split()


def test_every_layering_contract_is_kept() -> None:
    checked = lint_imports(ROOT)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 broken" in checked.stdout


@pytest.mark.parametrize(
    ("module", "arrow", "contract"),
    [
        ("store/__init__.py", "import service.attempts", "Floors"),
        ("service/__init__.py", "import worker.queues", "Floors"),
        ("worker/__init__.py", "import web.app", "Floors"),
        ("web/__init__.py", "import autograde.cli", "Floors"),
        ("web/__init__.py", "import sandboxes.docker_sandbox", "never imports the sandboxes"),
        ("grader/__init__.py", "import redis", "import no adapter"),
        ("service/__init__.py", "import flask", "know no web framework"),
    ],
)
def test_an_arrow_that_breaks_a_contract_is_caught(
    tmp_path: Path, module: str, arrow: str, contract: str
) -> None:
    """The contracts are not vacuous: one upward import in a copy of the tree breaks the named one."""
    for package in packages():
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.ipynb")
        )
    shutil.copyfile(ROOT / ".importlinter", tmp_path / ".importlinter")
    with (tmp_path / module).open("a") as source:
        source.write(f"\n{arrow}  # an arrow the contracts forbid\n")
    checked = lint_imports(tmp_path)
    assert checked.returncode != 0, checked.stdout
    broken = checked.stdout[checked.stdout.index("Broken contracts") :]
    assert contract in broken, broken


def test_loading_the_web_app_loads_neither_docker_nor_the_sandboxes() -> None:
    probe = (
        "import sys, web.app, web.pages\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'docker' or m == 'sandboxes.docker_sandbox')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == ""


NOTEBOOK_LIBRARIES = ("nbformat", "jsonschema", "nbgrader", "nbconvert", "nbclient")


def test_loading_the_store_and_the_web_app_loads_no_notebook_library() -> None:
    """nbformat builds jsonschema's URI grammar at import: about a second in every process that
    loaded ``store`` (every CLI command, every test subprocess). Notebooks are parsed on demand."""
    probe = (
        "import sys\n"
        f"heavy = {NOTEBOOK_LIBRARIES!r}\n"
        "def loaded(): return ' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
        "import store\n"
        "print('store:', loaded())\n"
        "import web.app, web.pages\n"
        "print('web:', loaded())\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split("\n")[:2] == ["store: ", "web: "], loaded.stdout


def test_loading_the_notebook_library_compiles_no_uri_grammar() -> None:
    """jsonschema 4.25 and later import rfc3987-syntax when it is installed, which compiles 38
    Earley grammars: 2.6 s of CPU in every process that loads nbformat (each test worker, each
    worker host, the first upload in each web process). We check no ``iri`` format, so the
    project pins jsonschema below 4.25, which does not pull it in; scripts/setup.sh removes it
    from a virtualenv made before the pin."""
    probe = "import sys, nbformat\nprint(sorted(m for m in ('rfc3987_syntax', 'lark') if m in sys.modules))\n"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]", loaded.stdout
