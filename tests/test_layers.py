"""The layering contracts (issue 22): checked statically by import-linter, and by importing for real.

``.importlinter`` holds the contracts. The static check sees every import in the source; the
subprocess check sees what importing the web app really loads, since a transitive import
through a worker module is how the Docker SDK once slipped into the web process.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_every_layering_contract_is_kept() -> None:
    checked = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 broken" in checked.stdout


def test_loading_the_web_app_loads_neither_docker_nor_the_sandboxes() -> None:
    probe = (
        "import sys, web.app, web.pages\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'docker' or m == 'sandboxes.docker_sandbox')))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == ""
