"""The JSON-LD contexts a credential may use, bundled and allow-listed: a context is never fetched.

A verifier that fetched contexts would let whoever serves a context URL change what a signed
document means (and would leak who is verifying what). Each allowed URL maps to a copy kept
in ``credentials/contexts/`` (sources in ``credentials/README.md``); any other URL is refused
with an error naming it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from grader.errors import RecordVerificationFailed

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"

BUNDLED = {
    VC_V2: "credentials-v2.json",
    VC_EXAMPLES_V2: "credentials-examples-v2.json",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    CLR_V2: "clr-v2p0-context-2.0.1.json",
    OB_EXTENSIONS: "ob-v3p0-extensions.json",
}


class ContextNotAllowed(RecordVerificationFailed):
    """A document names a context that is not bundled here; it is refused, never fetched."""

    code = "context_not_allowed"


@cache
def bundled_context(url: str) -> dict[str, Any]:
    """The bundled copy of the context at ``url``; raises ``ContextNotAllowed`` for any other URL."""
    name = BUNDLED.get(url)
    if name is None:
        allowed = ", ".join(sorted(BUNDLED))
        raise ContextNotAllowed(
            f"the JSON-LD context {url!r} is not one of the bundled contexts ({allowed}); "
            "contexts are never fetched"
        )
    document: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath("contexts", name).read_bytes()
    )
    return document


def load_document(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader over the bundled contexts only (its remote-document shape)."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": bundled_context(url),
    }
