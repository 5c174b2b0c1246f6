"""Fault: the database is unreachable for a while, in the middle of a grade.

The app and a real worker reach PostgreSQL only through a TCP proxy process (``tcp_proxy.py``)
that the test kills by pid and starts again on the same port: every connection drops and
new ones are refused, exactly an outage from the service's side, while the shared server
other test runs use stays up. Nothing is restarted but the proxy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from service.settings import Settings
from store import Store
from tests.e2e.faults import TcpProxy, admin_session, post_arrays, slow_notebook, stop_worker, wait_until
from tests.e2e.services import start_worker, wait_graded

GRADE_ROWS = ("grade_reports", "integrity_prints")  # what one grade adds: its report, then its fingerprint
INDEXED = "integrity_postings"  # and the fingerprint's postings, as many as it has hashes
pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def proxy(tmp_path: Path, database_url: str) -> Iterator[TcpProxy]:
    path = TcpProxy(tmp_path / "proxy.log", target_port=make_url(database_url).port or 5432)
    path.start()
    yield path
    if path.process is not None:
        path.kill()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """The test's own view of the database, around the proxy (``row_counts`` counts through it)."""
    direct = Store.from_url(database_url)
    yield direct
    direct.dispose()


@pytest.fixture
def settings(settings: Settings, proxy: TcpProxy) -> Settings:
    proxied = make_url(settings.database_url).set(port=proxy.port).render_as_string(hide_password=False)
    return settings.replace(
        database_url=proxied,
        warm_pool_size=1,
        warm_pool_reserve=0,
        cell_timeout=30,
        worker_ttl=6,
        watch_interval=2,
    )


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_database_outage_answers_503_stores_nothing_half_way_and_heals_by_itself(
    settings: Settings,
    server: str,
    proxy: TcpProxy,
    store: Store,
    row_counts: Callable[[], dict[str, int]],
    tmp_path: Path,
) -> None:
    admin = admin_session(settings)
    assignment = post_arrays(server, admin)
    submissions = f"{server}/api/v1/assignments/{assignment['id']}/submissions"
    worker = start_worker(settings, tmp_path / "worker.log", name="w")
    try:
        reply = admin.post(
            submissions, data={"learner": "alice"}, files={"file": ("arrays.ipynb", slow_notebook(6))}
        )
        assert reply.status_code == 202, reply.text
        sid = reply.json()["id"]
        wait_until(lambda: store.get_submission(sid).status == "running", 180, "the worker to start grading")
        before = row_counts()

        proxy.kill()  # the database is gone, mid-grade
        for response in (
            admin.get(f"{server}/api/v1/submissions/{sid}", timeout=30),
            admin.post(
                submissions,
                data={"learner": "bob"},
                files={"file": ("arrays.ipynb", slow_notebook(0))},
                timeout=30,
            ),
        ):
            assert response.status_code == 503, response.text
            assert response.headers["Retry-After"].isdigit()
            assert response.json()["error"] == "storage_error" and response.json()["message"]
        ready = admin.get(f"{server}/readyz", timeout=30)
        assert ready.status_code == 503 and not ready.json()["checks"]["database"]["ok"]
        assert admin.get(f"{server}/healthz", timeout=30).status_code == 200
        time.sleep(8)  # past the end of the grade: the worker cannot store it
        assert worker.poll() is None, "the worker died with the database"

        proxy.start()  # back, on the same port; nothing else restarted
        first = admin.get(f"{server}/api/v1/submissions/{sid}", timeout=30)
        assert first.status_code == 200, first.text  # stale pooled connections were replaced, not used
        # The grade was in flight when the database went: its worker retries it now, so its one
        # report, and the similarity fingerprint queued after it, may or may not be stored yet.
        # Only those two tables can change on its account (no platform, no programme: no
        # delivery, no record event); every other table is compared whole, so whatever the
        # refused GET and POST might have left shows up here.
        after = row_counts()
        for table in GRADE_ROWS:
            assert after[table] in (before[table], before[table] + 1), (table, before, after)
        assert after[INDEXED] >= before[INDEXED]
        assert {**after, **dict.fromkeys((*GRADE_ROWS, INDEXED), 0)} == {
            **before,
            **dict.fromkeys((*GRADE_ROWS, INDEXED), 0),
        }, "a refused request wrote"
        body = wait_graded(admin, f"{server}/api/v1/submissions/{sid}", timeout=240)
        assert body["status"] == "graded" and body["score"] == body["max_score"] == 9, body
        assert len(store.report_history(sid)) == 1
        assert store.get_submission(sid).attempts >= 2  # the grade was retried, not failed
        # Now nothing is in flight: the grade's one report and its one fingerprint are the only
        # rows added since before the outage, however late a half-done write of a refused
        # request might have landed.
        wait_until(
            lambda: row_counts()["integrity_prints"] > before["integrity_prints"],
            60,
            "the graded submission's similarity fingerprint",
        )
        settled = row_counts()
        assert settled[INDEXED] > before[INDEXED]
        assert {**settled, INDEXED: 0} == {
            **before,
            **{table: before[table] + 1 for table in GRADE_ROWS},
            INDEXED: 0,
        }
        again = admin.post(
            submissions, data={"learner": "bob"}, files={"file": ("arrays.ipynb", slow_notebook(0))}
        )
        assert again.status_code == 202, again.text
        assert wait_graded(admin, f"{server}/api/v1/submissions/{again.json()['id']}")["status"] == "graded"
        assert admin.get(f"{server}/readyz", timeout=30).status_code == 200
        assert worker.poll() is None
    finally:
        stop_worker(worker)
