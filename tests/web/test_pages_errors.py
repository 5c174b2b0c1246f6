"""Errors people meet outside any form: an unknown address and an upload over the size limit get pages, not JSON."""

from __future__ import annotations

import io

from flask.testing import FlaskClient

from tests.web.conftest import MAX_UPLOAD
from tests.web.pages_client import csrf_of, log_in


def test_an_unknown_address_gets_a_page_but_the_api_keeps_its_json_404(client: FlaskClient) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "There is no page at this address" in page.get_data(as_text=True)
    assert (
        page.headers["Cache-Control"] == "no-store"
        and "default-src 'self'" in page.headers["Content-Security-Policy"]
    )
    api = client.get("/api/v1/no/such/thing")
    assert api.status_code == 404 and api.json == {"error": "not_found", "message": api.json["message"]}


def test_an_upload_over_the_limit_gets_a_page_that_says_so(client: FlaskClient, people: None) -> None:
    log_in(client, "prof")
    data = {
        "course": "ds101",
        "name": "big",
        "csrf_token": csrf_of(client, "/teach/"),
        "file": (io.BytesIO(b"x" * (MAX_UPLOAD + 200_000)), "big.ipynb"),
    }
    reply = client.post("/teach/assignments", data=data, content_type="multipart/form-data")
    assert reply.status_code == 413 and reply.mimetype == "text/html"
    assert "larger than the upload limit of 98 KB" in reply.get_data(as_text=True)
