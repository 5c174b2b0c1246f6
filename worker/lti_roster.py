"""Fetching a platform course's roster (NRPS): every page, with an access token for the membership scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from grader.errors import InfrastructureError
from integrations.lti_roster import MEMBERSHIP_MEDIA_TYPE, MEMBERSHIP_SCOPE, next_page
from store import LtiRegistrationRecord
from worker.lti_scores import ScoreSender, Token

MAX_PAGES = 1000


class PlatformRoster:
    """``Roster`` (service/lti_roster.py) over HTTP, sharing the score sender's token cache."""

    def __init__(self, sender: ScoreSender, timeout: float) -> None:
        self.sender = sender
        self.timeout = timeout

    def members(self, registration: LtiRegistrationRecord, url: str) -> list[Mapping[str, Any]]:
        token = self.sender.token(registration, self.timeout, MEMBERSHIP_SCOPE)
        if not isinstance(token, Token):
            raise InfrastructureError(f"the platform refused a roster token: {token.error}")
        members: list[Mapping[str, Any]] = []
        page: str | None = url
        for _ in range(MAX_PAGES):
            if page is None:
                return members
            body, page = self.fetch(page, token)
            members.extend(member for member in body.get("members", []) if isinstance(member, dict))
        raise InfrastructureError(f"the roster at {url} has more than {MAX_PAGES} pages")

    def fetch(self, url: str, token: Token) -> tuple[dict[str, Any], str | None]:
        headers = {"Authorization": f"Bearer {token.value}", "Accept": MEMBERSHIP_MEDIA_TYPE}
        try:
            response = requests.get(url, headers=headers, timeout=self.timeout, allow_redirects=False)
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise InfrastructureError(f"cannot read the roster at {url}: {exc}") from exc
        if not isinstance(body, dict):
            raise InfrastructureError(f"the roster at {url} is not a membership container")
        return body, next_page(response.headers.get("Link", ""))
