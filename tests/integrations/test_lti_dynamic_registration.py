"""The pure rules of LTI Dynamic Registration: which URLs may be fetched, what a platform's configuration
must hold (its issuer speaking for the configuration URL), what we post and what we read back."""

from __future__ import annotations

from typing import Any

import pytest

from grader.errors import BadInput, UpstreamError
from integrations.lti_dynamic_registration import (
    PLATFORM_CONFIGURATION,
    SCOPES,
    TOOL_CONFIGURATION,
    ToolUrls,
    check_fetch_url,
    client_registration,
    issued_by,
    platform_configuration,
    registered_client,
)

CONFIG_URL = "https://moodle.example.edu/mod/lti/openid-configuration.php"
CONFIG: dict[str, Any] = {
    "issuer": "https://moodle.example.edu",
    "authorization_endpoint": "https://moodle.example.edu/mod/lti/auth.php",
    "token_endpoint": "https://moodle.example.edu/mod/lti/token.php",
    "jwks_uri": "https://moodle.example.edu/mod/lti/certs.php",
    "registration_endpoint": "https://moodle.example.edu/mod/lti/openid-registration.php",
    PLATFORM_CONFIGURATION: {"product_family_code": "moodle"},
}


@pytest.mark.parametrize(
    "url",
    ["https://lms.example.edu/x", "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]:9/x"],
)
def test_https_and_loopback_http_may_be_fetched(url: str) -> None:
    assert check_fetch_url(url, "u") == url


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "http://lms.example.edu/x",
        "http://10.0.0.5/x",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "https://user:pw@lms.example.edu/",
        "https://lms.example.edu/#frag",
        "https://[::1/x",
        "https://lms.example.edu:99999/",
        "/relative",
        "https://" + "a" * 2001,
    ],
)
def test_anything_else_is_refused_before_a_fetch(url: Any) -> None:
    with pytest.raises(BadInput):
        check_fetch_url(url, "u")


@pytest.mark.parametrize(
    ("config_url", "issuer", "ok"),
    [
        (CONFIG_URL, "https://moodle.example.edu", True),
        (CONFIG_URL, "https://moodle.example.edu/", True),
        ("https://MOODLE.example.edu/x", "https://moodle.example.edu", True),
        ("https://lms.example.edu/t1/.well-known/openid-configuration", "https://lms.example.edu/t1", True),
        ("https://lms.example.edu/t10/.well-known/openid-configuration", "https://lms.example.edu/t1", False),
        ("https://lms.example.edu/t2/.well-known/openid-configuration", "https://lms.example.edu/t1", False),
        (CONFIG_URL, "https://evil.example", False),
        (CONFIG_URL, "https://moodle.example.edu:8443", False),
        ("http://127.0.0.1:5/x", "https://127.0.0.1:5", False),
        (CONFIG_URL, "https://moodle.example.edu?x=1", False),
    ],
)
def test_the_issuer_must_be_the_configuration_url_s_origin_and_path_prefix(
    config_url: str, issuer: str, ok: bool
) -> None:
    assert issued_by(config_url, issuer) is ok


def test_a_good_configuration_is_read() -> None:
    read = platform_configuration(CONFIG, CONFIG_URL)
    assert read.issuer == CONFIG["issuer"] and read.registration_endpoint.endswith("registration.php")
    assert read.product_family == "moodle"


@pytest.mark.parametrize(
    "change",
    [
        {"issuer": None},
        {"jwks_uri": None},
        {"registration_endpoint": ""},
        {PLATFORM_CONFIGURATION: None},
        {"issuer": "https://evil.example"},
        {"token_endpoint": "http://moodle.example.edu/token"},
        {"authorization_endpoint": 7},
        {"token_endpoint_auth_methods_supported": ["client_secret_post"]},
        {"id_token_signing_alg_values_supported": ["HS256"]},
    ],
)
def test_a_configuration_the_tool_cannot_use_is_the_platform_s_fault(change: dict[str, Any]) -> None:
    with pytest.raises(UpstreamError):
        platform_configuration({**CONFIG, **change}, CONFIG_URL)
    with pytest.raises(UpstreamError):
        platform_configuration(["not", "an", "object"], CONFIG_URL)


def test_the_client_registration_says_what_the_spec_asks_for() -> None:
    tool = ToolUrls(
        "https://grades.example.edu/lti/login",
        "https://grades.example.edu/lti/launch",
        "https://grades.example.edu/lti/jwks",
    )
    body = client_registration(tool, "Autograde")
    assert body["application_type"] == "web" and body["response_types"] == ["id_token"]
    assert body["grant_types"] == ["implicit", "client_credentials"]
    assert body["token_endpoint_auth_method"] == "private_key_jwt"
    assert body["redirect_uris"] == [tool.launch_url] and body["initiate_login_uri"] == tool.login_url
    assert body["scope"].split() == list(SCOPES)
    lti = body[TOOL_CONFIGURATION]
    assert lti["domain"] == "grades.example.edu" and lti["target_link_uri"] == tool.launch_url
    assert [m["type"] for m in lti["messages"]] == ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]


@pytest.mark.parametrize(
    ("answer", "client_id", "deployment_id"),
    [
        ({"client_id": "abc", TOOL_CONFIGURATION: {"deployment_id": "1"}}, "abc", "1"),
        ({"client_id": 42, TOOL_CONFIGURATION: {"deployment_id": 7}}, "42", "7"),
        ({"client_id": "abc"}, "abc", None),
        ({"client_id": "abc", TOOL_CONFIGURATION: {"deployment_id": " "}}, "abc", None),
    ],
)
def test_the_answer_gives_the_client_id_and_perhaps_a_deployment(
    answer: dict[str, Any], client_id: str, deployment_id: str | None
) -> None:
    read = registered_client(answer)
    assert (read.client_id, read.deployment_id) == (client_id, deployment_id)


@pytest.mark.parametrize(
    "answer",
    [
        [],
        {},
        {"client_id": ""},
        {"client_id": True},
        {"client_id": "a", TOOL_CONFIGURATION: {"deployment_id": []}},
    ],
)
def test_an_answer_without_a_usable_client_id_is_the_platform_s_fault(answer: Any) -> None:
    with pytest.raises(UpstreamError):
        registered_client(answer)
