"""The page a share link opens (web/pages/shared.py): the record and its signed file for whoever holds the link,
a revoked or unknown link a readable 404, and every use logged."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from records.signing import decode_signed
from store import Store
from tests.web.api.test_records import graded  # noqa: F401  (the fixture)
from tests.web.pages.test_records import BROWSER, path, verified  # noqa: F401  (path: a fixture)
from tests.web.pages_client import post_form


def test_a_share_link_opened_in_a_browser_shows_the_record_and_its_signed_file(
    app: Flask, store: Store, path: str
) -> None:
    stranger = app.test_client()  # no session: the link alone
    opened = stranger.get(path, headers=BROWSER)
    assert opened.status_code == 303
    page_address = opened.headers["Location"]
    page = stranger.get(page_address, headers=BROWSER)
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]*>", " ", html).split())
    assert "MicroMasters in Data Science" in text and "alice" in text
    assert "ds101 required 4 75 C passed" in text  # course, kind, credits, grade, letter, passed
    download = re.search(r'<a class="button" id="download" href="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    signed = stranger.get(download)
    assert signed.status_code == 200 and signed.headers["Content-Disposition"].startswith("attachment")
    verified(stranger, signed.data)
    # A script asking for JSON (or for anything) still gets the signed JSON itself.
    for accept in ({"Accept": "application/json"}, {"Accept": "*/*"}, {}):
        reply = stranger.get(path, headers=accept)
        assert (
            reply.status_code == 200
            and reply.mimetype == "application/json"
            and decode_signed(reply.data)["proof"]
        )
    # Every use is logged: the page, the download and the three scripts (the redirect is not a use).
    assert store.list_shares("mm-ds", "alice")[0]["accesses"] == 5


def test_a_revoked_share_link_shows_a_readable_page_in_a_browser(
    app: Flask, client: FlaskClient, store: Store, path: str
) -> None:
    share_id = store.list_shares("mm-ds", "alice")[0]["id"]
    post_form(client, "/learn/records", f"/learn/records/mm-ds/shares/{share_id}/revoke")
    stranger = app.test_client()
    page = stranger.get(path, headers=BROWSER, follow_redirects=True)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "this share link was revoked" in page.get_data(as_text=True)
    assert stranger.get(path, headers={"Accept": "application/json"}).json["error"] == "not_found"
    assert stranger.get("/shared/not-a-token", headers=BROWSER).status_code == 404
