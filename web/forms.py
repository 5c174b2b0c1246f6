"""Reading multipart form fields, refusing what the store could not keep as text."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from flask import request

from grader.errors import BadInput

MAX_NAME_LENGTH = 200  # course, assignment and learner names


def text_field(name: str) -> str:
    value = optional_text_field(name)
    if value is None:
        raise BadInput(f"the form needs a non-empty '{name}' field")
    return value


def optional_text_field(name: str) -> str | None:
    value = (request.form.get(name) or "").strip()
    if not value:
        return None
    if len(value) > MAX_NAME_LENGTH:
        raise BadInput(f"'{name}' is longer than {MAX_NAME_LENGTH} characters")
    check_printable(value, name)
    return value


def uploaded_file(field: str = "file") -> tuple[str, bytes]:
    """(file name without folders, content) of the uploaded file."""
    upload = request.files.get(field)
    if upload is None:
        raise BadInput(f"the form needs a '{field}' file")
    filename = posixpath.basename((upload.filename or "").replace("\\", "/"))
    check_printable(filename, "file name")
    return filename, upload.read()


def check_paths(paths: Iterable[str]) -> None:
    for path in paths:
        check_printable(path, "file name")


def check_printable(value: str, what: str) -> None:
    """Control characters (NUL above all) break text columns and logs; no honest name has them."""
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise BadInput(f"{what} {value!r} contains control characters")
