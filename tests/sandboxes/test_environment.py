"""The environment digest covers what decides how a notebook runs in the sandbox, and nothing by chance."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sandboxes.environment import HERE, environment_digest, environment_files
from tests.conftest import ROOT


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the sandbox sources, to change."""
    copy = tmp_path / "sandboxes"
    shutil.copytree(HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_copy_has_the_digest_of_the_checkout(tree: Path) -> None:
    digest = environment_digest(tree)
    assert digest == environment_digest() and digest.startswith("sha256:") and len(digest) == 71


@pytest.mark.parametrize(
    "path", ["image/requirements.lock", "image/Dockerfile", "agent/sandbox_agent.py", "agent/judge.py"]
)
def test_a_changed_lock_recipe_or_agent_changes_the_digest(tree: Path, path: str) -> None:
    before = environment_digest(tree)
    target = tree / path
    target.write_bytes(target.read_bytes() + b"\n")
    assert environment_digest(tree) != before


def test_a_new_or_renamed_agent_module_changes_the_digest(tree: Path) -> None:
    before = environment_digest(tree)
    (tree / "agent" / "sitecustomize.py").write_text("import os\n")
    added = environment_digest(tree)
    (tree / "agent" / "sitecustomize.py").rename(tree / "agent" / "usercustomize.py")
    assert len({before, added, environment_digest(tree)}) == 3


def test_bytes_moved_between_files_change_the_digest(tree: Path) -> None:
    """Content is framed by length, so the concatenation alone does not decide the digest."""
    first, second = tree / "agent" / "answers.py", tree / "agent" / "attest.py"
    before = environment_digest(tree)
    moved = first.read_bytes()[-1:]
    first.write_bytes(first.read_bytes()[:-1])
    second.write_bytes(moved + second.read_bytes())
    assert environment_digest(tree) != before


def test_what_is_not_in_the_image_is_not_in_the_digest(tree: Path) -> None:
    before = environment_digest(tree)
    (tree / "pool.py").write_text("# the worker's side, not the sandbox's\n")
    (tree / "image" / "requirements.txt").write_text("numpy\n")  # the loose list: the lock is what is built
    assert environment_digest(tree) == before


def test_every_file_copied_into_the_image_is_covered() -> None:
    covered = {path.relative_to(HERE).as_posix() for path in environment_files()}
    assert {f"agent/{path.name}" for path in (HERE / "agent").glob("*.py")} <= covered
    assert {"image/requirements.lock", "image/Dockerfile"} <= covered


def test_the_build_script_reads_the_same_digest_from_the_command_line() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "sandboxes.environment"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert printed.stdout.strip() == environment_digest()
    assert "-m sandboxes.environment" in (ROOT / "scripts" / "build-sandbox-image.sh").read_text()
