"""The API contract: ``web/openapi.yaml``, written by hand, served as JSON at ``/api/v1/openapi.json``.

The YAML is read and converted once per process. Tests keep it true: the document must be
valid OpenAPI, list exactly the app's routes and methods, and describe every response a
fuzzing run against the running app provokes (tests/web/test_openapi.py,
tests/e2e/test_api_fuzzing.py).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from flask import Blueprint, Response

from web.auth import public

openapi = Blueprint("openapi", __name__)
DOCUMENT = "openapi.yaml"


@cache
def openapi_document() -> dict[str, Any]:
    """The document as a dict (shared: do not change it)."""
    document: dict[str, Any] = yaml.safe_load(files("web").joinpath(DOCUMENT).read_text(encoding="utf-8"))
    return document


@cache
def openapi_json() -> str:
    """Serialised once, in the YAML's own order (Flask's ``jsonify`` would sort the keys)."""
    return json.dumps(openapi_document(), ensure_ascii=False)


@openapi.get("/openapi.json")
@public
def get_openapi() -> Response:
    return Response(openapi_json(), mimetype="application/json")
