"""What serving the Bitstring Status List costs with 1,000 issued credentials, built per request or cached.

    .venv/bin/python -m bench.status_list_cost --learners 250

Each learner of a two-course programme has a graded history and one export's worth of
credentials (two course credentials, the programme's, the CLR: four status positions), so
250 learners are 1,000 issued credentials; one learner in ten then has a grade overridden,
which revokes theirs. Two apps share one SQLite store: one rebuilds the list on every
request (a cache whose entries expire at once: what every GET did before
``service/status_lists.py``), the other serves the list as built until a status write. Both
are driven through Flask's test client in alternating blocks in the same run, so drift on
a shared machine falls on both; their lists must be byte for byte the same (one clock), or
the run fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

import yaml
from flask import Flask

from credentials import status_list
from records.compute import compute_record
from records.issuance import plan
from records.programme import parse_programme
from service.settings import Settings
from service.status_lists import StatusListCache
from web import create_app
from web.handles import EXTENSION
from web.record_key import credential_issuer

NOW = datetime(2031, 1, 15, 12, 0, tzinfo=UTC)
BASE = "https://grades.example.edu"
URL = "/api/v1/records/status/revocation"
COURSES = ("ds101", "ds201")
PROGRAMME = {
    "id": "mm-ds",
    "title": "MicroMasters in Data Science",
    "courses": [
        {
            "course": c,
            "required": True,
            "credits": 4,
            "weights": {"assignments": 1.0, "exam": 0.0},
            "pass_threshold": 60,
        }
        for c in COURSES
    ],
    "policies": {
        "attempts": "latest",
        "rounding": 1,
        "letters": [{"letter": "A", "min": 90}, {"letter": "C", "min": 60}],
    },
}


def grade_body(learner: int, course: str, score: float) -> dict[str, object]:
    return {
        "course": course,
        "item": f"{course}-final",
        "kind": "assignment",
        "score": score,
        "max_score": 10.0,
        "version": 1,
        "submission_id": f"{learner}-{course}",
        "submission_sha256": "0" * 64,
        "sandbox_image": "sha256:bench",
        "rubric_version": "r1",
        "received_at": NOW.isoformat(),
    }


def populate(app: Flask, learners: int) -> int:
    """Graded histories and one export's credentials per learner; a tenth overridden. The issued count."""
    store = app.extensions[EXTENSION].store
    spec = yaml.safe_dump(PROGRAMME)
    store.add_programme("mm-ds", PROGRAMME["title"], "programme.yaml", spec, list(COURSES))
    programme = parse_programme("programme.yaml", spec)
    issuer = credential_issuer(app.extensions[EXTENSION].record_keys, BASE)
    issued = 0
    for n in range(learners):
        learner = f"learner-{n}"
        for course in COURSES:
            body = grade_body(n, course, 6.0 + n % 5)
            store.append_record_event("mm-ds", learner, "grade", body, NOW, "grader")
        record = compute_record(programme, learner, store.record_history("mm-ds", learner)).to_dict()
        issued += len(store.allocate_positions(plan(record, issuer, "2031-01-15T12:00:00Z"), NOW))
    for n in range(0, learners, 10):
        override = {"course": COURSES[0], "value": 55, "reason": "bench override", "author": "prof"}
        store.append_record_event("mm-ds", f"learner-{n}", "override", override, NOW, "prof")
    return issued


def per_second(app: Flask, requests: int) -> tuple[float, bytes]:
    client = app.test_client()
    started = time.perf_counter()
    body = b""
    for _ in range(requests):
        reply = client.get(URL)
        if reply.status_code != 200:
            raise SystemExit(f"FAIL: {URL} answered {reply.status_code}")
        body = reply.data
    return requests / (time.perf_counter() - started), body


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--learners", type=int, default=250, help="four credentials each (default 250: 1,000)"
    )
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--uncached", type=int, default=3, help="requests per block, rebuilding each time")
    parser.add_argument("--cached", type=int, default=300, help="requests per block, served as built")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-status-") as folder:
        settings = Settings(
            data_dir=folder, admin_token="bench", redis_url="redis://127.0.0.1:1/0", public_url=BASE
        )
        cached = create_app(settings, clock=lambda: NOW)
        handles = cached.extensions[EXTENSION]
        uncached = create_app(settings, store=handles.store, enqueuer=handles.enqueuer, clock=lambda: NOW)
        uncached.extensions[EXTENSION] = dataclasses.replace(
            uncached.extensions[EXTENSION], status_lists=StatusListCache(max_age=timedelta(0))
        )
        issued = populate(cached, args.learners)
        rates: dict[str, list[float]] = {"rebuilt per request": [], "cached": []}
        bodies = set()
        for _ in range(args.blocks):
            for name, app, count in (
                ("rebuilt per request", uncached, args.uncached),
                ("cached", cached, args.cached),
            ):
                rate, body = per_second(app, count)
                rates[name].append(rate)
                bodies.add(body)
        if len(bodies) != 1:
            print("FAIL: the cached and rebuilt lists differ")
            return 1
        listed = json.loads(bodies.pop())
        revoked = sum(
            bin(byte).count("1") for byte in status_list.decode(listed["credentialSubject"]["encodedList"])
        )
        print(
            f"\n{issued} issued credentials ({args.learners} learners), {revoked} revoked; {args.blocks} blocks\n"
        )
        print("| status list GET | requests/s (median of blocks) | min | max |")
        print("|---|---|---|---|")
        for name, values in rates.items():
            print(f"| {name} | {statistics.median(values):,.1f} | {min(values):,.1f} | {max(values):,.1f} |")
        ratio = statistics.median(rates["cached"]) / statistics.median(rates["rebuilt per request"])
        print(f"\ncached / rebuilt: {ratio:,.0f}x; both lists byte for byte the same")
    return 0


if __name__ == "__main__":
    sys.exit(main())
