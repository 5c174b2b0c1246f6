"""Sending one LTI score to a platform's line item: an OAuth 2 access token, then the score.

The token comes from the platform's token endpoint by the client-credentials grant, the
tool authenticating with a JWT it signs with its own key (the platform checks it against
``/lti/jwks``). Tokens are cached per process until shortly before they expire; a 401 from
the score endpoint forgets the token, so the next attempt asks for a fresh one. Every
failure is an ``Answer``, like a callback's, so the outbox retries it, dead-letters it
and lets an admin redeliver it the same way.

A platform that answers the score itself with 400, 403, 404, 410 or 422 refuses that score
for good: it will not store it however often it comes (Brightspace keeps scores only for
users enrolled in a gradable role and answers 403 for others; Moodle answers 400 for a user
it cannot grade; a deleted line item is a 404). Such an answer is ``final``: the outbox marks
the score refused with the platform's words instead of retrying it into the dead-letter
list as if the LMS were down. A token refused, a 401, a 408, a 429 and every 5xx stay
retried.

A score for a deep-linked item nobody has launched yet names the course's line item
container and our ``resourceId`` instead of a line item: the line item is looked up there
first (and remembered by this process). Until the platform has made it, the score fails
with a message saying so, and is retried like any other failure.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, replace

import jwt
import requests

from integrations.lti_scores import (
    ASSERTION_TYPE,
    LINE_ITEM_READ_SCOPE,
    LINE_ITEMS_MEDIA_TYPE,
    SCORE_MEDIA_TYPE,
    SCORE_SCOPE,
    assertion_claims,
    is_line_item_query,
    resource_id_of,
    scores_url,
)
from service.lti_keys import ToolKeyring
from store import LtiRegistrationRecord
from worker.callback_http import Answer, post_result

EXPIRY_MARGIN = 30.0  # seconds before a token's expiry that it is no longer used
REFUSALS = frozenset({400, 403, 404, 410, 422})  # a score endpoint's answers that sending again cannot change


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float  # monotonic


class ScoreSender:
    def __init__(self, keyring: ToolKeyring) -> None:
        self.keyring = keyring
        self._tokens: dict[tuple[str, str, str], Token] = {}
        self._line_items: dict[str, str] = {}  # container query -> the line item it found
        self._lock = threading.Lock()
        self.token_requests = 0

    def send(self, registration: LtiRegistrationRecord, url: str, body: bytes, timeout: float) -> Answer:
        if is_line_item_query(url):
            found = self.line_item(registration, url, timeout)
            if isinstance(found, Answer):
                return found
            url = scores_url(found)
        token = self.token(registration, timeout)
        if isinstance(token, Answer):
            return token
        headers = {"Authorization": f"Bearer {token.value}", "Content-Type": SCORE_MEDIA_TYPE}
        answer = post_result(url, body, headers, timeout)
        if answer.status_code == 401:
            self.forget(registration)
        if answer.status_code in REFUSALS:
            return replace(answer, final=True)
        return answer

    def line_item(self, registration: LtiRegistrationRecord, query: str, timeout: float) -> str | Answer:
        """The line item the container query finds by ``resourceId``; an Answer saying why not."""
        with self._lock:
            known = self._line_items.get(query)
        if known is not None:
            return known
        scope = f"{SCORE_SCOPE} {LINE_ITEM_READ_SCOPE}"
        token = self.token(registration, timeout, scope)
        if isinstance(token, Answer):
            return token
        headers = {"Authorization": f"Bearer {token.value}", "Accept": LINE_ITEMS_MEDIA_TYPE}
        try:
            response = requests.get(query, headers=headers, timeout=timeout, allow_redirects=False)
        except requests.RequestException as exc:
            return Answer(False, None, f"line item lookup: {type(exc).__name__}: {exc}"[:500])
        if response.status_code == 401:
            self.forget(registration, scope)
        if response.status_code != 200:
            return Answer(
                False,
                response.status_code,
                f"line item lookup: HTTP {response.status_code}: {response.text[:300]}",
            )
        wanted = resource_id_of(query)
        try:
            items = response.json()
            found = [
                item["id"] for item in items if isinstance(item, dict) and item.get("resourceId") == wanted
            ]
        except (ValueError, KeyError, TypeError):
            return Answer(
                False, response.status_code, "line item lookup: the answer is not a list of line items"
            )
        if not found or not isinstance(found[0], str):
            return Answer(
                False,
                404,
                f"the platform has no line item with resourceId {wanted!r} yet "
                "(was the deep link saved in the course?)",
            )
        with self._lock:
            self._line_items[query] = found[0]
        return str(found[0])

    def forget(self, registration: LtiRegistrationRecord, scope: str = SCORE_SCOPE) -> None:
        with self._lock:
            self._tokens.pop((registration.token_url, registration.client_id, scope), None)

    def token(
        self, registration: LtiRegistrationRecord, timeout: float, scope: str = SCORE_SCOPE
    ) -> Token | Answer:
        """The cached token, or a new one; senders that miss together wait for one request, not one each."""
        key = (registration.token_url, registration.client_id, scope)
        with self._lock:
            cached = self._tokens.get(key)
            if cached is not None and cached.expires_at > time.monotonic():
                return cached
            fetched = self.request_token(registration, timeout, scope)
            if isinstance(fetched, Token):
                self._tokens[key] = fetched
            return fetched

    def request_token(
        self, registration: LtiRegistrationRecord, timeout: float, scope: str
    ) -> Token | Answer:
        keys = self.keyring.keys()
        claims = assertion_claims(
            registration.client_id, registration.assertion_audience, int(time.time()), uuid.uuid4().hex
        )
        assertion = jwt.encode(claims, keys.signing, algorithm="RS256", headers={"kid": keys.kid})
        self.token_requests += 1
        try:
            response = requests.post(
                registration.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": assertion,
                    "scope": scope,
                },
                timeout=timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            return Answer(False, None, f"token request: {type(exc).__name__}: {exc}"[:500])
        if response.status_code != 200:
            return Answer(
                False,
                response.status_code,
                f"token request: HTTP {response.status_code}: {response.text[:300]}",
            )
        try:
            body = response.json()
            value, lifetime = str(body["access_token"]), float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            return Answer(False, response.status_code, "token request: the answer has no access_token")
        return Token(value, time.monotonic() + max(0.0, lifetime - EXPIRY_MARGIN))
