"""The service's DID document, where did:web resolution looks for it.

``did:web:HOST`` resolves to ``https://HOST/.well-known/did.json``; a service published under
a path (``did:web:HOST:PATH``) to ``https://HOST/PATH/did.json``: both are answered. Public,
like the key a signature is checked with.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from web.auth import public
from web.handles import handles
from web.record_key import did_document_of, public_base

did = Blueprint("did", __name__)


@did.get("/.well-known/did.json")
@did.get("/did.json")
@public
def did_document() -> Response:
    h = handles()
    response = jsonify(did_document_of(h.record_keys, public_base(h.settings)))
    response.headers["Cache-Control"] = "max-age=300"
    return response
