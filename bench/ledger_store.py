"""The store path of a course-wide late-policy change: previewing it for every assignment, with
the learners' deadline ledgers empty (the baseline) and then filled, in one run on SQLite.

    .venv/bin/python -m bench.ledger_store --learners 10000 --items 20

The course and its ledgers are ``bench/ledger_recompute.py``'s, stored: ``items`` assignments,
one graded submission per learner each (written in bulk, as the worker would have, one report
each). Timed: ``plan_terms_change`` for every assignment (what the preview shows staff, read in
one transaction each: the assignment's stored work, each learner's ledger, the judging), first
with no ledger entries stored, then with them. Applying is not timed here: it writes one grade
version per moved grade, which is the store's ordinary write path.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import insert, update

from bench.ledger_recompute import DAY, START, make_entries, make_work, policy
from grader.ledger_change import EVERYONE
from store import Store
from store.models import GradeReportRow, LedgerEntryRow, SubmissionRow

RUBRIC = [{"notebook": "hw.ipynb", "grade_id": "t", "points": 10.0, "kind": "test"}]


def fill(store: Store, learners: int, items: int) -> tuple[list[str], list[dict[str, object]]]:
    """The course's assignments and graded work; returns the assignment ids and the ledger rows to add later."""
    rng = random.Random(23)
    names = [f"hw{i:02d}" for i in range(items)]
    old = {name: policy(START + i * 7 * DAY, 80.0, 3) for i, name in enumerate(names)}
    ids = {}
    for name, terms in old.items():
        steps = [{"after": s.after.isoformat(), "credit": s.credit} for s in terms.steps]
        record = store.add_assignment(
            "bench", name, {"hw.ipynb": b"{}"}, {}, {}, RUBRIC, "v1", 10.0, terms.due, steps, False
        )
        ids[name] = record.id
    entries = make_entries(rng, learners, names)
    work = make_work(rng, learners, old, entries)
    with store.engine.begin() as connection:
        for name, stored in work.items():
            rows = [
                {
                    "id": uuid.uuid4().hex,
                    "assignment_id": ids[name],
                    "learner": w.learner,
                    "filename": "hw.ipynb",
                    "content": b"",
                    "sha256": "0" * 64,
                    "size": 0,
                    "received_at": w.received_at,
                    "on_time": w.on_time,
                    "late_credit": w.late_credit,
                    "status": "graded",
                    "priority": "assignments",
                    "attempts": 1,
                    "score": (w.report or {}).get("score"),
                    "max_score": 10.0,
                    "graded_at": START,
                    "updated_at": START,
                }
                for w in stored
            ]
            connection.execute(insert(SubmissionRow), rows)
            reports = [
                {
                    "submission_id": row["id"],
                    "created_at": START,
                    "report": w.report,
                    "feedback_html": "",
                    "provenance": {},
                }
                for row, w in zip(rows, stored, strict=True)
            ]
            connection.execute(insert(GradeReportRow), reports)
        connection.execute(
            update(SubmissionRow)
            .values(latest_report_id=GradeReportRow.id)
            .where(GradeReportRow.submission_id == SubmissionRow.id)
        )
    ledger = [
        {
            "course": "bench",
            "learner": owner,
            "kind": e.kind,
            "assignment_id": ids.get(e.assignment_id or ""),
            "terms": e.terms(),
            "author": e.author,
            "reason": e.reason,
            "at": e.at,
        }
        for owner, e in entries
    ]
    return list(ids.values()), ledger


def preview_all(store: Store, assignment_ids: list[str]) -> tuple[float, int]:
    harsher = {"late_policy": None}
    began = time.perf_counter()
    moved = 0
    for assignment_id in assignment_ids:
        due = store.get_assignment(assignment_id).due_at
        assert due is not None
        edit = {
            **harsher,
            "late_policy": [
                {"after": (due + DAY).isoformat(), "credit": 50},
                {"after": (due + 2 * DAY).isoformat(), "credit": 0},
            ],
        }
        moved += len(store.plan_terms_change(assignment_id, edit).credit)
    return time.perf_counter() - began, moved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.from_url(f"sqlite:///{Path(folder) / 'bench.db'}")
        store.migrate()
        began = time.perf_counter()
        assignment_ids, ledger = fill(store, args.learners, args.items)
        print(
            f"stored {args.learners} learners x {args.items} assignments in {time.perf_counter() - began:.1f} s (SQLite)"
        )
        baseline, moved_before = preview_all(store, assignment_ids)
        with store.engine.begin() as connection:
            connection.execute(insert(LedgerEntryRow), ledger)
        with_ledgers, moved_after = preview_all(store, assignment_ids)
        everyone = sum(1 for row in ledger if row["learner"] == EVERYONE)
        print(f"{'preview of the policy change, every assignment':<52} {'seconds':>8} {'credit moved':>13}")
        print(f"{'baseline: no ledger entries stored':<52} {baseline:>8.2f} {moved_before:>13}")
        print(
            f"{f'with {len(ledger)} ledger entries ({everyone} course-wide)':<52} {with_ledgers:>8.2f} {moved_after:>13}"
        )
        store.dispose()


if __name__ == "__main__":
    main()
