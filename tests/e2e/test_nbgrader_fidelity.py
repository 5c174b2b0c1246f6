"""Fidelity against the reference: nbgrader's own documentation course, graded both ways.

Stock ``nbgrader autograde`` runs in this test on the host; this service grades the same
submissions through its sandbox path. Per-cell auto scores must be identical, compared with
nbgrader's live output, not with numbers typed in here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbgrader
import pytest

from grader.assignment import build_assignment
from grader.execution import Budget
from sandboxes.docker_sandbox import DockerSandboxFactory
from sandboxes.limits import SandboxLimits
from tests.conftest import SANDBOX_IMAGE
from worker.sandbox_grading import grade_in_sandbox

pytestmark = [pytest.mark.docker, pytest.mark.slow]
USER_GUIDE = Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide"
STUDENTS = ("bitdiddle", "hacker")
CONFIG = """
c = get_config()
c.CourseDirectory.root = "."
c.CourseDirectory.db_assignments = [dict(name="ps1")]
c.CourseDirectory.db_students = [dict(id="bitdiddle"), dict(id="hacker")]
"""


def stock_nbgrader_scores(course: Path) -> dict[str, dict[tuple[str, str], float | None]]:
    shutil.copytree(USER_GUIDE / "source" / "ps1", course / "source" / "ps1")
    for student in STUDENTS:
        shutil.copytree(USER_GUIDE / "submitted" / student, course / "submitted" / student)
    (course / "nbgrader_config.py").write_text(CONFIG)
    # nbgrader runs the `alembic` command by name: it must find the one beside this Python
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for command in (["generate_assignment", "ps1", "--force"], ["autograde", "ps1", "--force"]):
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", *command], cwd=course, env=env, capture_output=True
        )
        assert result.returncode == 0, result.stderr.decode()[-3000:]
    from nbgrader.api import Gradebook

    scores: dict[str, dict[tuple[str, str], float | None]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in STUDENTS:
            for notebook in ("problem1", "problem2"):
                submitted = gradebook.find_submission_notebook(notebook, "ps1", student)
                for grade in submitted.grades:
                    scores.setdefault(student, {})[(f"{notebook}.ipynb", grade.name)] = grade.auto_score
    return scores


def read_folder(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != "timestamp.txt"}


def test_docs_course_scores_match_stock_nbgrader(tmp_path: Path, docker_client) -> None:  # type: ignore[no-untyped-def]
    reference = stock_nbgrader_scores(tmp_path)
    assignment = build_assignment(read_folder(USER_GUIDE / "source" / "ps1"))
    factory = DockerSandboxFactory(docker_client, SandboxLimits(image=SANDBOX_IMAGE), worker="fidelity-test")
    for student in STUDENTS:
        submission = read_folder(USER_GUIDE / "submitted" / student / "ps1")
        result = grade_in_sandbox("ps1", assignment, submission, factory, Budget(30, 300))
        ours = {(c.notebook, c.grade_id): c.score for c in result.graded.report.cells}
        assert ours == reference[student], student
    assert any(score not in (None, 0.0) for s in reference.values() for score in s.values())
    assert any(score == 0.0 for s in reference.values() for score in s.values())
