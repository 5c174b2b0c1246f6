"""The bundled example course goes through the API: uploads validate, the sample work is accepted."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from store import Store
from tests.conftest import EXAMPLES
from tests.web.multipart import upload
from tests.web.notebook_builders import read_zip

ADMIN = {"Authorization": "Bearer admin-secret"}


def zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def upload_example(client: FlaskClient, spec: dict[str, Any]) -> dict[str, Any]:
    source = EXAMPLES / spec["source"]
    content, filename = (
        (zip_folder(source), f"{source.name}.zip") if source.is_dir() else (source.read_bytes(), source.name)
    )
    response = upload(
        client,
        "/api/v1/assignments",
        ADMIN,
        content,
        filename,
        course="intro-data-science",
        name=spec["name"],
    )
    assert response.status_code == 201, response.json
    body: dict[str, Any] = response.json
    return body


def test_the_example_assignments_upload_and_release_without_hidden_tests(client: FlaskClient) -> None:
    manifest = json.loads((EXAMPLES / "course.json").read_text())
    for spec in manifest["assignments"]:
        created = upload_example(client, spec)
        assert created["max_score"] > 0 and created["grade_cells"]
        release = client.get(f"/api/v1/assignments/{created['id']}/release", headers=ADMIN)
        files = read_zip(release.data) if release.mimetype == "application/zip" else {"nb": release.data}
        assert all(
            b"BEGIN HIDDEN TESTS" not in data and b"BEGIN SOLUTION" not in data for data in files.values()
        )


def test_the_example_submissions_are_accepted_and_queued(client: FlaskClient, store: Store) -> None:
    manifest = json.loads((EXAMPLES / "course.json").read_text())
    ids = {spec["name"]: upload_example(client, spec)["id"] for spec in manifest["assignments"]}
    for entry in manifest["submissions"]:
        path = EXAMPLES / entry["file"]
        url = f"/api/v1/assignments/{ids[entry['assignment']]}/submissions"
        response = upload(client, url, ADMIN, path.read_bytes(), path.name, learner=entry["learner"])
        assert response.status_code == 202, (entry, response.json)
    assert len(store.unfinished_submissions()) == len(manifest["submissions"])
