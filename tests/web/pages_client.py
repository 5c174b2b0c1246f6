"""Driving the web pages with Flask's test client as a browser would: a session cookie and the form's CSRF token."""

from __future__ import annotations

import io
import re
from typing import Any

from flask.testing import FlaskClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: FlaskClient, page: str) -> str:
    """The CSRF token of the first form on ``page``, as a browser would post it back."""
    html = client.get(page).get_data(as_text=True)
    found = CSRF.search(html)
    assert found, f"no CSRF field on {page}: {html[:500]}"
    return found.group(1)


def log_in(client: FlaskClient, name: str, password: str = "correct horse") -> Any:
    token = csrf_of(client, "/login")
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def post_form(
    client: FlaskClient, page: str, url: str, file: tuple[bytes, str] | None = None, **form: Any
) -> Any:
    """POST ``form`` (and a file) to ``url`` with the CSRF token found on ``page``."""
    data: dict[str, Any] = {**form, "csrf_token": csrf_of(client, page)}
    if file is not None:
        data["file"] = (io.BytesIO(file[0]), file[1])
    return client.post(url, data=data, content_type="multipart/form-data")
