"""Sending assignment files: one notebook as itself, several as a zip."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping

from flask import Response, send_file

NOTEBOOK_TYPE = "application/x-ipynb+json"
ZIP_TYPE = "application/zip"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same files always make the same zip
UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.writestr(zipfile.ZipInfo(path, FIXED_TIME), files[path], zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def send_files(files: Mapping[str, bytes], archive_name: str, as_zip: bool) -> Response:
    """A lone notebook goes out as ``.ipynb``; anything more, or a zip upload, as ``<archive_name>.zip``."""
    if not as_zip and len(files) == 1:
        ((name, content),) = files.items()
        return attachment(
            content, name, NOTEBOOK_TYPE if name.endswith(".ipynb") else "application/octet-stream"
        )
    return attachment(zip_bytes(files), f"{archive_name}.zip", ZIP_TYPE)


def attachment(content: bytes, name: str, mimetype: str) -> Response:
    response = send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def private_attachment(content: bytes, name: str, mimetype: str) -> Response:
    """A download of personal data (grades, records): never cached."""
    response = attachment(content, name, mimetype)
    response.headers["Cache-Control"] = "no-store"
    return response


def export_filename(*parts: str) -> str:
    """Names joined by ``-``, each reduced to letters, digits, ``.``, ``_`` and ``-`` (no path, no quotes)."""
    return "-".join(UNSAFE_IN_FILENAME.sub("_", part).strip("._-") or "export" for part in parts)
