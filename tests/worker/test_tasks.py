"""The grading job against a real store and a real Docker engine: once-only, faults retried."""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from grader.assignment import build_assignment
from grader.errors import SandboxError, SandboxImageMismatch
from grader.notebooks import dump_notebook
from sandboxes.environment import LABEL, environment_digest
from service.settings import Settings
from store.db import Store
from tests.conftest import EXAMPLES, REDIS_URL, SANDBOX_IMAGE
from worker import context
from worker.queue_names import INTEGRITY
from worker.queues import RQEnqueuer
from worker.tasks import MAX_ATTEMPTS, grade_submission

pytestmark = pytest.mark.docker
SOURCE = EXAMPLES / "assignments" / "arrays" / "arrays.ipynb"


def stored_submission(
    store: Store, learner: str = "alice", runtime: str | None = None, as_zip: bool = False
) -> str:
    assignment = build_assignment({"arrays.ipynb": SOURCE.read_bytes()})
    record = store.add_assignment(
        "intro",
        "arrays",
        {"arrays.ipynb": SOURCE.read_bytes()},
        {n: dump_notebook(nb) for n, nb in assignment.releases.items()},
        {},
        [c.to_dict() for c in assignment.rubric.cells],
        assignment.rubric.version,
        assignment.rubric.max_score,
        None,
        [],
        False,
        sandbox_runtime=runtime,
    )
    content = (EXAMPLES / "submissions" / learner / "arrays.ipynb").read_bytes()
    filename = "arrays.ipynb"
    if as_zip:  # with a long note that compresses far more than two-fold
        notebook = json.loads(content)
        notebook["cells"].append(
            {"cell_type": "markdown", "id": "notes", "metadata": {}, "source": "notes " * 50_000}
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("arrays.ipynb", json.dumps(notebook))
        content, filename = buffer.getvalue(), "arrays.zip"
    submission = store.add_submission(record.id, learner, filename, content, datetime.now(UTC), True, 1.0)
    return submission.id


def install(tmp_path: Path, **overrides: Any) -> Store:
    settings = Settings(
        **{
            "data_dir": str(tmp_path),
            "sandbox_image": SANDBOX_IMAGE,
            "cell_timeout": 5,
            "redis_url": REDIS_URL,  # the tallies and the similarity checks go to the tests' Redis
            **overrides,
        }
    )
    ctx = context.WorkerContext(settings, worker_name="job-test")
    context.install(ctx)
    ctx.store.migrate()
    return ctx.store


def test_a_duplicate_job_grades_once(tmp_path: Path, docker_client: Any) -> None:
    store = install(tmp_path)
    sid = stored_submission(store)
    first = grade_submission(sid)
    second = grade_submission(sid)
    assert first["score"] == 9.0 and first["stored"] is True
    assert second == {"submission": sid, "skipped": True}
    assert len(store.report_history(sid)) == 1
    report = store.latest_report(sid)
    assert report is not None
    assert report.provenance["submission_sha256"] == store.get_submission(sid).sha256
    assert report.provenance["sandbox_image"].startswith("sha256:")
    # what every host that grades alike shares (the image id differs between hosts that build alike)
    assert report.provenance["sandbox_environment"] == environment_digest()


@pytest.mark.redis
def test_the_similarity_check_is_queued_once_the_grade_is_stored(
    tmp_path: Path, docker_client: Any, redis_conn: Any
) -> None:
    store = install(tmp_path, queue_prefix="grade-then-check")
    sid = stored_submission(store)
    checks = RQEnqueuer(redis_conn, "grade-then-check").queue(INTEGRITY)
    assert checks.job_ids == []
    assert grade_submission(sid)["stored"] is True
    assert checks.job_ids == [f"integrity-{sid}"]
    assert store.get_submission(sid).status == "graded"
    grade_submission(sid)  # a duplicate grades nothing and queues no second check
    assert checks.job_ids == [f"integrity-{sid}"]


def test_infrastructure_faults_requeue_then_fail_without_a_score(tmp_path: Path, docker_client: Any) -> None:
    store = install(tmp_path, sandbox_image="autograde-no-such-image:missing")
    sid = stored_submission(store)
    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(SandboxError):
            grade_submission(sid)
        assert store.get_submission(sid).status == "queued"
    result = grade_submission(sid)
    submission = store.get_submission(sid)
    assert submission.status == "failed" and submission.score is None
    assert "failed" in result


def test_a_sandbox_image_retagged_to_another_environment_is_retried_never_scored(
    tmp_path: Path, docker_client: Any
) -> None:
    tag = f"autograde-sandbox-test:retagged-{secrets.token_hex(4)}"
    docker_client.images.get(SANDBOX_IMAGE).tag(tag)
    try:
        store = install(tmp_path, sandbox_image=tag)
        sid = stored_submission(store)
        other = f'FROM {SANDBOX_IMAGE}\nLABEL {LABEL}="sha256:{"0" * 64}"\n'.encode()
        docker_client.images.build(fileobj=io.BytesIO(other), tag=tag, rm=True)  # moved while the worker runs
        with pytest.raises(SandboxImageMismatch):
            grade_submission(sid)
        submission = store.get_submission(sid)
        assert submission.status == "queued" and submission.score is None
        assert store.report_history(sid) == []
    finally:
        docker_client.images.remove(tag, force=True)


@pytest.mark.gvisor
def test_an_assignment_can_ask_for_gvisor(tmp_path: Path, docker_client: Any) -> None:
    store = install(tmp_path)
    sid = stored_submission(store, runtime="runsc")
    assert grade_submission(sid)["score"] == 9.0
    report = store.latest_report(sid)
    assert report is not None and report.provenance["runtime"] == "runsc"


def test_a_zipped_submission_is_graded_within_the_intake_limit(tmp_path: Path, docker_client: Any) -> None:
    store = install(tmp_path)
    sid = stored_submission(store, as_zip=True)  # compresses several-fold: unpacked it is far bigger
    assert grade_submission(sid)["score"] == 9.0
    assert store.get_submission(sid).status == "graded"


def test_the_built_assignment_is_reused_only_for_the_same_files(tmp_path: Path, docker_client: Any) -> None:
    """Grades with a reused assignment equal grades with a fresh one, in any order."""
    from worker.stored import trusted_assignment

    store = install(tmp_path, warm_pool_size=0)
    first = stored_submission(store, learner="alice")
    aid = store.get_submission(first).assignment_id
    content = {
        name: (EXAMPLES / "submissions" / name / "arrays.ipynb").read_bytes() for name in ("bob", "alice")
    }
    later = [
        store.add_submission(aid, name, "arrays.ipynb", data, datetime.now(UTC), True, 1.0).id
        for name, data in content.items()
    ]
    scores = [grade_submission(sid)["score"] for sid in (first, *later)]
    assert scores[0] == scores[2] == 9.0 and scores[1] != 9.0
    before = trusted_assignment(store, aid)
    assert trusted_assignment(store, aid) is before
    store.replace_sources(
        aid, {"arrays.ipynb": SOURCE.read_bytes() + b"\n"}, {}, [], "v2", 9.0
    )  # one byte more
    assert trusted_assignment(store, aid) is not before
