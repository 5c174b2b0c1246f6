"""Which URLs results may be sent to: http(s) only, and only where the platform registered.

The service makes outgoing requests to these URLs, so they are not free text: a call's own
callback URL must have the same scheme, host and port as the platform's registered one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from grader.errors import BadInput

MAX_URL_LENGTH = 2000


def check_url(url: str, field: str = "callback_url") -> str:
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        raise BadInput(f"'{field}' must be a URL of at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a malformed [IPv6] host
        raise BadInput(f"'{field}' is not a valid URL: {url[:100]!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"'{field}' must be an absolute http:// or https:// URL, not {url[:100]!r}")
    if parts.username or parts.password:
        raise BadInput(f"'{field}' must not carry a user name or password")
    try:
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError:
        raise BadInput(f"'{field}' has an invalid port") from None
    return url.strip()


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}[parts.scheme]
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def callback_for(requested: str | None, registered: str | None) -> str | None:
    """The URL to send this submission's results to; BadInput for one outside the registration."""
    if requested is None:
        return None
    url = check_url(requested)
    if registered is None:
        raise BadInput("this platform has no registered callback URL, so a call may not name one")
    if origin(url) != origin(registered):
        scheme, host, port = origin(registered)
        raise BadInput(f"callback_url must be on the platform's registered origin {scheme}://{host}:{port}")
    return url
