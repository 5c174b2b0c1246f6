"""The Dynamic Registration use case with a fake platform client: the order of the steps (nothing fetched
for a bad link), the registration built by the manual rule, and its id when the invitation named none."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from grader.errors import BadInput, Conflict, NotFound, UpstreamError
from integrations.lti_dynamic_registration import PLATFORM_CONFIGURATION, TOOL_CONFIGURATION, ToolUrls
from service.lti_dynamic_registration import register_dynamically
from service.lti_invitations import create_invitation
from store import Store

NOW = datetime(2030, 1, 1, tzinfo=UTC)
TOOL = ToolUrls("https://t.example/lti/login", "https://t.example/lti/launch", "https://t.example/lti/jwks")
CONFIG_URL = "https://moodle.example.edu/mod/lti/openid-configuration.php"
BASE = "https://moodle.example.edu"


class FakePlatform:
    def __init__(self, client_id: Any = "abc") -> None:
        self.calls: list[tuple[str, str, str | None]] = []
        self.client_id = client_id

    def get_json(self, url: str) -> Any:
        self.calls.append(("GET", url, None))
        return {
            "issuer": BASE,
            "authorization_endpoint": BASE + "/auth",
            "token_endpoint": BASE + "/token",
            "jwks_uri": BASE + "/certs",
            "registration_endpoint": BASE + "/register",
            PLATFORM_CONFIGURATION: {"product_family_code": "moodle"},
        }

    def post_json(self, url: str, body: Mapping[str, Any], bearer: str | None) -> Any:
        self.calls.append(("POST", url, bearer))
        return {"client_id": self.client_id, TOOL_CONFIGURATION: {"deployment_id": "1"}}


@pytest.fixture
def store(sqlite_store: Store) -> Store:
    return sqlite_store


def test_a_registration_is_stored_under_the_host_s_name_then_made_unique(store: Store) -> None:
    platform = FakePlatform()
    first = create_invitation(store, {"courses": ["ds101"]}, "root", NOW)
    query = {"openid_configuration": CONFIG_URL, "registration_token": "tok"}
    stored = register_dynamically(store, platform, TOOL, first.token, query, NOW)
    assert stored.id == "moodle-example-edu" and stored.deployment_ids == ("1",)
    assert platform.calls == [("GET", CONFIG_URL, None), ("POST", BASE + "/register", "tok")]
    second = create_invitation(store, {"courses": ["ds102"]}, "root", NOW)
    again = register_dynamically(store, FakePlatform("def"), TOOL, second.token, query, NOW)
    assert again.id == f"moodle-example-edu-{second.invitation.id[:8]}" and again.courses == ("ds102",)


def test_nothing_is_fetched_for_a_bad_link_a_bad_url_or_a_taken_id(store: Store) -> None:
    platform = FakePlatform()
    made = create_invitation(store, {"courses": ["ds101"], "registration_id": "m"}, "root", NOW)
    with pytest.raises(NotFound):
        register_dynamically(store, platform, TOOL, "not-a-link", {"openid_configuration": CONFIG_URL}, NOW)
    with pytest.raises(BadInput):
        register_dynamically(store, platform, TOOL, made.token, {"openid_configuration": "http://lms/x"}, NOW)
    with pytest.raises(BadInput):
        query = {"openid_configuration": CONFIG_URL, "registration_token": "a b"}
        register_dynamically(store, platform, TOOL, made.token, query, NOW)
    assert platform.calls == []
    register_dynamically(store, FakePlatform(), TOOL, made.token, {"openid_configuration": CONFIG_URL}, NOW)
    other = create_invitation(store, {"courses": ["ds101"], "registration_id": "m"}, "root", NOW)
    with pytest.raises(Conflict):
        register_dynamically(store, platform, TOOL, other.token, {"openid_configuration": CONFIG_URL}, NOW)
    assert platform.calls == []


def test_a_platform_value_that_breaks_the_registration_rule_is_its_fault(store: Store) -> None:
    made = create_invitation(store, {"courses": ["ds101"]}, "root", NOW)
    with pytest.raises(UpstreamError, match="client_id"):
        query = {"openid_configuration": CONFIG_URL}
        register_dynamically(store, FakePlatform("x" * 300), TOOL, made.token, query, NOW)
    assert store.list_lti_registrations() == []
    found = store.list_lti_invitations()[0]
    assert found.state(NOW) == "open"
