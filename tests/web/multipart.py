"""Posting multipart forms the way browsers and platforms do."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient


def upload(
    client: FlaskClient, url: str, headers: dict[str, str], content: bytes, filename: str, **form: Any
) -> Any:
    """POST a multipart form with ``file`` and the given fields (None leaves a field out)."""
    data: dict[str, Any] = {key: value for key, value in form.items() if value is not None}
    data["file"] = (io.BytesIO(content), filename)
    return client.post(url, headers=headers, data=data, content_type="multipart/form-data")
