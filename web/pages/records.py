"""The learner's programme records: each record with how it came to be, and the share links to it.

The record, its explanation, its signed export and the links come from the API's own
functions (``get_record``, ``export_json``, ``make_share``, ``list_shares``' store calls,
``revoke_share``), which let a learner act on their own record only. A new link's address is shown once, on the
page that made it: only its hash is stored.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grader.errors import NotFound
from web.api.records import export_json, get_record, make_share, own_record, revoke_share
from web.auth import require
from web.handles import handles
from web.pages.fields import FieldErrors

record_pages = Blueprint("records", __name__, url_prefix="/learn")


@record_pages.get("/records")
def my_records() -> ResponseReturnValue:
    return render_records(FieldErrors(), None)


def render_records(errors: FieldErrors, new_link: dict[str, Any] | None) -> ResponseReturnValue:
    caller = require("learner")
    store = handles().store
    programmes = [p for p in store.list_programmes() if caller.name in store.programme_learners(p)]
    records = [
        {"id": p, **get_record(p, caller.name), "shares": store.list_shares(p, caller.name)}
        for p in programmes
    ]
    return render_template(
        "learn/records.html", records=records, new_link=new_link, errors=errors.messages
    ), (422 if errors else 200)


@record_pages.get("/records/<programme_id>/export.json")
def my_record_json(programme_id: str) -> ResponseReturnValue:
    """My own signed record, the file a share link hands out, to keep or send on myself."""
    caller = require("learner")
    if caller.name not in handles().store.programme_learners(programme_id):
        raise NotFound(f"you have no record in programme {programme_id!r}")
    return export_json(programme_id, caller.name)


@record_pages.post("/records/<programme_id>/shares")
def share(programme_id: str) -> ResponseReturnValue:
    caller = require("learner")
    errors = FieldErrors()
    made = errors.check(
        f"label-{programme_id}", lambda: make_share(programme_id, caller.name, request.form.get("label", ""))
    )
    if made is not None:  # the configured address, not the request's Host header, wherever one is set
        made["full_url"] = (handles().settings.public_url or request.host_url).rstrip("/") + made["url"]
    return render_records(errors, made)


@record_pages.post("/records/<programme_id>/shares/<share_id>/revoke")
def revoke(programme_id: str, share_id: str) -> ResponseReturnValue:
    caller = require("learner")
    own_record(programme_id, caller.name)
    revoke_share(programme_id, caller.name, share_id)
    return redirect(url_for("pages.records.my_records"))
