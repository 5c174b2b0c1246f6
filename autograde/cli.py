"""The ``autograde`` command: grade a notebook locally, serve the API, run workers, mint tokens, demo."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import AutogradeError, BadInput, InfrastructureError
from service.settings import Settings

if TYPE_CHECKING:  # the CLI imports the grader only for the commands that grade
    from grader.report import GradeReport

EXIT_BAD_INPUT = 2
EXIT_FAULT = 3


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        # The commands import the store (and with it alembic) only when they need it, after this:
        # alembic names each of its plugins at INFO as it is imported, which says nothing to anyone.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        return int(args.handler(args, settings) or 0)
    except BadInput as exc:
        print(f"autograde: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InfrastructureError as exc:
        print(f"autograde: {exc.message}", file=sys.stderr)
        return EXIT_FAULT
    except AutogradeError as exc:
        print(f"autograde: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograde", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser(
        "grade", help="grade one submission against a source notebook, no server needed"
    )
    grade.add_argument(
        "--source", required=True, type=Path, help="the instructor's nbgrader source (.ipynb or .zip)"
    )
    grade.add_argument("submission", type=Path, help="the learner's notebook (.ipynb or .zip)")
    grade.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    grade.add_argument("--feedback", type=Path, help="also write the feedback HTML to this file")
    grade.set_defaults(handler=run_grade)

    from autograde import commands as more

    more.add_commands(commands)
    from autograde import lti_commands

    lti_commands.add_commands(commands)
    return parser


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from exc


def run_grade(args: argparse.Namespace, settings: Settings) -> int:
    from grader.assignment import build_assignment
    from grader.uploads import unpack_upload
    from worker.sandbox_grading import grade_in_sandbox
    from worker.wiring import budget, sandbox_factory

    source = unpack_upload(args.source.name, read_file(args.source), settings.max_upload_bytes)
    submission = unpack_upload(args.submission.name, read_file(args.submission), settings.max_upload_bytes)
    assignment = build_assignment(source)
    result = grade_in_sandbox(
        args.source.stem, assignment, submission, sandbox_factory(settings), budget(settings)
    )
    report = result.graded.report
    if args.feedback:
        args.feedback.write_text(result.graded.feedback_html, encoding="utf-8")
    if args.json:
        print(json.dumps({**report.to_dict(), "provenance": result.provenance}, indent=2))
    else:
        print(format_report(report))
    return 0


def format_report(report: GradeReport) -> str:
    """The grade as a table for a terminal: each cell's score, the total, then what happened."""
    rows = [f"{'cell':<36} {'score':>7} {'max':>6}  status"]
    for cell in report.cells:
        score = "-" if cell.score is None else f"{cell.score:g}"
        rows.append(f"{cell.grade_id:<36} {score:>7} {cell.max_score:>6g}  {cell.status}")
    rows.append(f"{'total':<36} {report.score:>7g} {report.max_score:>6g}")
    rows.extend(f"note: {event}" for event in report.events)
    return "\n".join(rows)
