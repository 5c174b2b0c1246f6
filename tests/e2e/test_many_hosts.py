"""Many hosts (issue 19): two web hosts and two worker hosts, each with its own name and data
directory, one PostgreSQL, one Redis, the shared keys from files, and one worker's clock 10
minutes fast.

Every request goes to a web host chosen at random, as behind a balancer without affinity. The
fast worker host starts alone and sweeps a 5-minute exam attempt first; then the second worker
joins, learners submit, and the worker grading the slowest notebook is killed (``kill -9``) and
started again on the same host. Every submission must be graded exactly once, a login made on
one web host must hold on the other, an export made on one must verify against the other's
published key, and no exam attempt may be closed early by the fast host's sweeps.
"""

from __future__ import annotations

import io
import json
import random
import re
import secrets
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from redis import Redis
from rq.job import Job

from autograde.demo import read_upload
from records.signing import decode_signed, private_key_pem, public_keys_from, verify_document
from service.settings import Settings
from store import Store
from tests.conftest import EXAMPLES, REDIS_URL, SANDBOX_IMAGE
from tests.e2e.faults import gone, slow_notebook, wait_until
from tests.e2e.hosts import Host, WebHost
from tests.exam_bank.bank import question
from worker.liveness import live_workers
from worker.queues import SWEEP_JOB, RQEnqueuer, job_id_for

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]
COURSE = "intro-data-science"
MANIFEST = json.loads((EXAMPLES / "course.json").read_text())
# Three more learners beyond the manifest's seven: two copies, and one that sleeps so a worker can die mid-grade.
EXTRA = [("frank", "arrays", "alice"), ("gina", "dataframes", "bob")]
SLOW = "hank"
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PROGRAMME = {
    "id": "ds",
    "title": "Data science",
    "courses": [
        {
            "course": COURSE,
            "required": True,
            "credits": 4,
            "weights": {"assignments": 1.0, "exam": 0.0},
            "pass_threshold": 60,
        }
    ],
    "policies": {"attempts": "latest", "rounding": 1},
}


class Balancer:
    """Sends each request to one of the web hosts at random; counts where they went."""

    def __init__(self, hosts: list[WebHost], token: str = "") -> None:
        self.hosts = hosts
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.served: Counter[str] = Counter()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        host = random.choice(self.hosts)
        self.served[host.name] += 1
        return self.session.request(method, host.url + path, timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)


@pytest.fixture
def shared(tmp_path: Path, postgres_url: str, redis_conn: Redis) -> Settings:
    """What every host is given: distributed mode, one database, one Redis, the key files, one deployment id."""
    keys = tmp_path / "secrets"
    keys.mkdir(mode=0o700)
    (keys / "session-secret").write_text(secrets.token_urlsafe(48))
    (keys / "records-signing-key.pem").write_bytes(
        private_key_pem(Ed25519PrivateKey.generate().private_bytes_raw())
    )
    return Settings(
        deployment_mode="distributed",
        deployment_id=f"many-{secrets.token_hex(3)}",
        database_url=postgres_url,
        redis_url=REDIS_URL,
        queue_prefix=f"many-{secrets.token_hex(3)}",
        secret_key_file=str(keys / "session-secret"),
        records_key_file=str(keys / "records-signing-key.pem"),
        admin_token=secrets.token_urlsafe(16),
        sandbox_image=SANDBOX_IMAGE,
        cell_timeout=20,  # dave's endless loop costs this much; the slow notebook sleeps 8 s in one cell
        warm_pool_size=1,
        warm_pool_reserve=0,
        worker_ttl=6,  # peers notice a killed worker within seconds
        watch_interval=2,
    )


@pytest.fixture
def web_hosts(shared: Settings, tmp_path: Path) -> Iterator[list[WebHost]]:
    """Two web hosts started together: both bring the one schema up to date at once."""
    hosts = [WebHost("web-a", shared, tmp_path), WebHost("web-b", shared, tmp_path)]
    try:
        for host in hosts:
            host.serve()
        for host in hosts:
            host.wait_up()
        yield hosts
    finally:
        for host in hosts:
            host.stop()


@pytest.fixture
def worker_hosts(shared: Settings, tmp_path: Path) -> Iterator[dict[str, Host]]:
    hosts = {
        "fast": Host("worker-fast", shared, tmp_path, clock_skew="+10m"),
        "synced": Host("worker-synced", shared, tmp_path),
    }
    try:
        yield hosts
    finally:
        for host in hosts.values():
            host.stop()


def live_on(redis_conn: Redis, shared: Settings, host: Host) -> list[str]:
    """This host's live workers (a worker is named ``hostname-pid-random``)."""
    return [
        name for name in live_workers(redis_conn, shared.queue_prefix) if name.startswith(f"{host.name}-")
    ]


def sweep_now(redis_conn: Redis, shared: Settings) -> Job:
    """A sweep put straight on the exams queue (not scheduled), once a worker has run it."""
    queue = RQEnqueuer(redis_conn, shared.queue_prefix).queue("exams")
    job = queue.enqueue(
        SWEEP_JOB, job_id=f"{shared.queue_prefix}-test-sweep-{secrets.token_hex(3)}", result_ttl=600
    )
    status = wait_until(
        lambda: job.get_status(refresh=True) in ("finished", "failed") and job.get_status(), 60, "a sweep"
    )
    done = Job.fetch(job.id, connection=redis_conn)
    assert status == "finished", done.latest_result()
    return done


def upload_exam(instructor: Balancer, store: Store) -> dict[str, Any]:
    now = store.now()
    spec = {
        "title": "Quiz",
        "time_limit_minutes": 5,
        "attempts_allowed": 1,
        "grace_seconds": 30,
        "window": {
            "opens": (now - timedelta(hours=1)).isoformat(),
            "closes": (now + timedelta(hours=3)).isoformat(),
        },
        "requires_proctoring": False,
        "pools": [
            {
                "name": "basics",
                "draw": 1,
                "questions": [{"file": "q1.ipynb", "params": {"k": {"choices": [2]}}}],
            }
        ],
    }
    reply = instructor.post(
        "/api/v1/exams",
        data={"course": COURSE, "name": "quiz"},
        files=[
            ("spec", ("exam.yaml", yaml.safe_dump(spec).encode())),
            ("questions", ("q1.ipynb", question(1))),
        ],
    )
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def submissions() -> list[tuple[str, str, bytes, int]]:
    """(learner, assignment, notebook, expected score): the manifest's, two copies, and the slow one."""

    def notebook(learner: str, assignment: str) -> bytes:
        return (EXAMPLES / "submissions" / learner / f"{assignment}.ipynb").read_bytes()

    def score(learner: str, assignment: str) -> int:
        return int(
            next(
                s["expect"]["score"]
                for s in MANIFEST["submissions"]
                if (s["learner"], s["assignment"]) == (learner, assignment)
            )
        )

    found = [
        (
            s["learner"],
            s["assignment"],
            notebook(s["learner"], s["assignment"]),
            score(s["learner"], s["assignment"]),
        )
        for s in MANIFEST["submissions"]
    ]
    found += [
        (learner, assignment, notebook(like, assignment), score(like, assignment))
        for learner, assignment, like in EXTRA
    ]
    return [(SLOW, "arrays", slow_notebook(8), 9), *found]


def submit_all(web_hosts: list[WebHost], instructor: Balancer, tokens: dict[str, str]) -> dict[str, int]:
    """The example course's two assignments, then every learner's notebook: {submission id: expected score}."""
    assignments = {}
    for spec in MANIFEST["assignments"]:  # a notebook, or a folder (a notebook and its data) as a zip
        reply = instructor.post(
            "/api/v1/assignments",
            data={"course": COURSE, "name": spec["name"]},
            files={"file": read_upload(EXAMPLES / spec["source"])},
        )
        assert reply.status_code == 201, reply.text
        assignments[spec["name"]] = reply.json()["id"]
    expected: dict[str, int] = {}
    for learner, assignment, notebook, score in submissions():
        reply = Balancer(web_hosts, tokens[learner]).post(
            f"/api/v1/assignments/{assignments[assignment]}/submissions",
            files={"file": (f"{assignment}.ipynb", io.BytesIO(notebook))},
        )
        assert reply.status_code == 202, reply.text
        expected[reply.json()["id"]] = score
    return expected


def kill_and_restart_the_grader(
    store: Store, redis_conn: Redis, shared: Settings, hosts: list[Host], sid: str
) -> None:
    """``kill -9`` the worker grading ``sid`` mid-grade, then start a worker on that host again."""
    wait_until(lambda: store.get_submission(sid).status == "running", 120, "the slow notebook to be graded")
    victim_name = Job.fetch(job_id_for(sid), connection=redis_conn).worker_name or ""
    victim = next(host for host in hosts if victim_name.startswith(f"{host.name}-"))
    killed = victim.kill()
    assert store.get_submission(sid).status == "running", (
        "the grade ended before the kill: nothing was tested"
    )
    wait_until(lambda: all(gone(pid) for pid in killed), 10, "the killed worker's children to die")
    victim.start("worker")  # the same host name and data dir, as a recreated container; a new worker name
    wait_until(
        lambda: set(live_on(redis_conn, shared, victim)) - {victim_name},
        120,
        "the killed host's worker to restart",
    )


def log_in_on(host: WebHost, session: requests.Session, name: str) -> None:
    token = CSRF.search(session.get(f"{host.url}/login", timeout=10).text)
    assert token, "no CSRF field on the login form"
    reply = session.post(
        f"{host.url}/login",
        data={"name": name, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    assert reply.status_code == 302 and "/login" not in reply.headers["Location"], reply.text[:500]


def check_login_holds_across(web_a: WebHost, web_b: WebHost) -> None:
    """Logged in on A, alice's pages open on B, and B takes the form token A's session holds."""
    browser = requests.Session()
    log_in_on(web_a, browser, "alice")
    page = browser.get(f"{web_b.url}/learn/", allow_redirects=False, timeout=10)
    assert page.status_code == 200 and "arrays" in page.text, (page.status_code, page.headers.get("Location"))
    token = CSRF.search(page.text)
    assert token, "no CSRF field on the learner's page"
    out = browser.post(
        f"{web_b.url}/logout", data={"csrf_token": token.group(1)}, allow_redirects=False, timeout=10
    )
    assert out.status_code == 302 and "/login" in out.headers["Location"]


def check_export_verifies_across(admin: Balancer, web_a: WebHost, web_b: WebHost) -> None:
    """alice's record, once graded, exported by A, verified with the key B publishes."""
    record = f"/api/v1/programmes/{PROGRAMME['id']}/records/alice"
    wait_until(
        lambda: admin.get(record).json()["record"]["courses"][0]["grade"] is not None, 60, "alice's record"
    )
    export = admin.session.get(f"{web_a.url}{record}/export.json", timeout=30)
    assert export.status_code == 200, export.text
    published = requests.get(f"{web_b.url}/api/v1/records/public-key", timeout=10)
    verify_document(decode_signed(export.content), public_keys_from(published.content))


def test_two_web_and_two_worker_hosts_one_fast_grade_once_share_logins_and_keys_and_close_no_exam_early(
    shared: Settings,
    web_hosts: list[WebHost],
    worker_hosts: dict[str, Host],
    redis_conn: Redis,
    docker_client: Any,
) -> None:
    web_a, web_b = web_hosts
    fast, synced = worker_hosts["fast"], worker_hosts["synced"]
    store = Store.from_url(shared.database_url)
    try:
        tokens = {
            name: store.create_token("learner", name, [COURSE])[0]
            for name in {s[0] for s in submissions()} | {"zoe"}
        }
        instructor = Balancer(web_hosts, store.create_token("instructor", "prof", [COURSE])[0])
        admin = Balancer(web_hosts, shared.admin_token)
        store.create_account("learner", "alice", PASSWORD, [COURSE])
        spec = ("programme.yaml", yaml.safe_dump(PROGRAMME).encode())
        assert admin.post("/api/v1/programmes", files={"spec": spec}).status_code == 201

        # The fast host alone: a 5-minute attempt, and a sweep on a clock that says it ended 5 minutes ago.
        fast.start("worker")
        wait_until(lambda: live_on(redis_conn, shared, fast), 120, "the fast worker to start")
        started = Balancer(web_hosts, tokens["zoe"]).post(
            f"/api/v1/exams/{upload_exam(instructor, store)['id']}/attempts"
        )
        assert started.status_code == 201, started.text
        swept = sweep_now(redis_conn, shared)
        assert swept.worker_name in live_on(redis_conn, shared, fast) and swept.return_value() == {
            "closed": []
        }
        assert store.get_attempt(started.json()["id"]).state == "started"

        # The second worker host joins; ten learners submit; the grader of the slow one dies and comes back.
        synced.start("worker")
        wait_until(lambda: live_on(redis_conn, shared, synced), 120, "the second worker to start")
        expected = submit_all(web_hosts, instructor, tokens)
        slow = next(iter(expected))
        kill_and_restart_the_grader(store, redis_conn, shared, [fast, synced], slow)
        try:
            wait_until(
                lambda: all(store.get_submission(sid).status in ("graded", "failed") for sid in expected),
                180,
                "every submission to be graded",
                every=1,
            )
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{fast.tail()}\n{synced.tail()}") from None
        for sid, score in expected.items():
            body = admin.get(f"/api/v1/submissions/{sid}").json()
            assert (body["status"], body["score"]) == ("graded", score), body
            assert len(store.report_history(sid)) == 1, f"{sid} was graded more than once"
        assert store.get_submission(slow).attempts == 2  # the killed worker's claim, then a live one's

        check_login_holds_across(web_a, web_b)
        check_export_verifies_across(admin, web_a, web_b)

        # After the minute sweeps of both hosts and one more now, the attempt still runs: 5 minutes are not over.
        sweep_now(redis_conn, shared)
        attempt = store.get_attempt(started.json()["id"])
        assert attempt.deadline_at is not None and store.now() < attempt.deadline_at, (
            "the test outran the exam"
        )
        assert attempt.state == "started"
        assert set(instructor.served) | set(admin.served) == {"web-a", "web-b"}, (
            "every request went to one host"
        )
    finally:
        store.dispose()
