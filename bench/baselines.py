"""The two ways we compare against: stock nbgrader on the host, and one `docker run` each.

(a) ``nbgrader autograde`` over all submissions in one serial batch, on the host, no
    sandbox: what a course running nbgrader itself does.
(b) one ``docker run --rm`` per submission of ``autograde-bench-naive`` (the sandbox image
    plus nbclient), two at a time: the notebook to execute (the source's tests with the
    learner's answers, as nbgrader would run it) goes in on stdin, the executed notebook
    comes out on stdout and is scored on the host with nbgrader's own ``determine_grade``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbgrader.utils import determine_grade

from bench.sampling import PeakSampler
from bench.workload import CELL_TIMEOUT, SOURCE, Outcome
from grader.assignment import build_assignment
from grader.pipeline import match_submission
from grader.prepare import plan_notebook

NAIVE_IMAGE = "autograde-bench-naive:latest"


def stock_nbgrader(work: dict[str, bytes]) -> Outcome:
    course = Path(tempfile.mkdtemp(prefix="bench-nbgrader-"))
    try:
        (course / "source" / "arrays").mkdir(parents=True)
        shutil.copy(SOURCE, course / "source" / "arrays" / "arrays.ipynb")
        for student, data in work.items():
            folder = course / "submitted" / student / "arrays"
            folder.mkdir(parents=True)
            (folder / "arrays.ipynb").write_bytes(data)
        students = ", ".join(f"dict(id={s!r})" for s in work)
        (course / "nbgrader_config.py").write_text(
            "c = get_config()\nc.CourseDirectory.root = '.'\nc.CourseDirectory.db_assignments = [dict(name='arrays')]\n"
            f"c.CourseDirectory.db_students = [{students}]\nc.ExecutePreprocessor.timeout = {CELL_TIMEOUT}\n"
        )
        env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
        run = [sys.executable, "-m", "nbgrader"]
        subprocess.run(
            [*run, "generate_assignment", "arrays", "--force"],
            cwd=course,
            env=env,
            check=True,
            capture_output=True,
        )
        started = time.monotonic()
        subprocess.run(
            [*run, "autograde", "arrays", "--force"], cwd=course, env=env, check=True, capture_output=True
        )
        elapsed = time.monotonic() - started
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            scores = {s: float(gradebook.find_submission("arrays", s).score) for s in work}
        return Outcome("stock nbgrader autograde, serial batch, host", elapsed, scores, note="no sandbox")
    finally:
        shutil.rmtree(course, ignore_errors=True)


def naive_docker(work: dict[str, bytes], runtime: str, parallel: int = 2) -> Outcome:
    assignment = build_assignment({"arrays.ipynb": SOURCE.read_bytes()})
    name = "arrays.ipynb"

    def one(item: tuple[str, bytes]) -> tuple[str, float, float]:
        learner = match_submission(assignment, {name: item[1]})
        plan = plan_notebook(name, assignment.sources[name], assignment.releases[name], learner[name])
        started = time.monotonic()
        done = subprocess.run(
            [
                "docker",
                "run",
                "-i",
                "--rm",
                "--network",
                "none",
                "--runtime",
                runtime,
                "--memory",
                "1g",
                "--cpus",
                "1",
                "--pids-limit",
                "256",
                "--cap-drop",
                "ALL",
                NAIVE_IMAGE,
                str(CELL_TIMEOUT),
            ],
            input=nbformat.writes(plan.merged).encode(),
            capture_output=True,
            check=True,
        )
        latency = time.monotonic() - started
        executed = nbformat.reads(done.stdout.decode(), as_version=4)
        score = sum(
            determine_grade(c)[0] or 0.0
            for c in executed.cells
            if c.metadata.get("nbgrader", {}).get("grade")
        )
        return item[0], latency, float(score)

    started = time.monotonic()
    with PeakSampler() as sampler, ThreadPoolExecutor(max_workers=parallel) as pool:
        results = list(pool.map(one, work.items()))
    return Outcome(
        f"one docker run per submission, {runtime}, x{parallel}",
        time.monotonic() - started,
        {sid: score for sid, _, score in results},
        latencies=[latency for _, latency, _ in results],
        sandbox_peak_mb=sampler.sandbox_mb,
    )
