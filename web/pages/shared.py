"""The page a share link opens in a browser: the learner's record, readable, with its signed file to download.

Whoever holds the link may read it, logged in or not (``public``). The API's share address
sends a browser here and gives scripts the signed JSON itself; both log every use through
the API's ``open_share``, this page and its download each counting as one.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from records.explain import explain
from web.api.records import open_share, record_for, signed_download
from web.auth import public

shared_pages = Blueprint("shared", __name__, url_prefix="/shared")


@shared_pages.get("/<token>")
@public
def shared_record(token: str) -> ResponseReturnValue:
    programme, learner = open_share(token)
    record = record_for(programme, learner)
    return render_template(
        "shared_record.html", token=token, programme=programme, record=record, explanation=explain(record)
    )


@shared_pages.get("/<token>/record.json")
@public
def shared_download(token: str) -> ResponseReturnValue:
    return signed_download(*open_share(token))
