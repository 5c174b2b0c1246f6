"""The deep linking settings a platform sends, and the content item and claims the tool answers with."""

from __future__ import annotations

from typing import Any

import pytest

from grader.errors import InvalidLaunch
from integrations.lti_deep_linking import (
    DL_CLAIM,
    DeepLinkSettings,
    content_item,
    resource_id,
    response_claims,
    settings_of,
)

GOOD = {
    "deep_link_return_url": "https://lms.example/return",
    "accept_types": ["link", "ltiResourceLink"],
    "accept_presentation_document_targets": ["window", "iframe"],
    "data": "opaque",
}


def test_the_settings_pick_the_iframe_when_offered_and_keep_data() -> None:
    assert settings_of(GOOD) == DeepLinkSettings("https://lms.example/return", "iframe", "opaque")
    only_window = {**GOOD, "accept_presentation_document_targets": ["window"], "data": None}
    assert settings_of(only_window) == DeepLinkSettings("https://lms.example/return", "window", None)


@pytest.mark.parametrize(
    "claim",
    [
        None,
        {**GOOD, "deep_link_return_url": "javascript:alert(1)"},
        {**GOOD, "accept_types": ["file"]},
        {**GOOD, "accept_types": "ltiResourceLink"},
        {**GOOD, "accept_presentation_document_targets": ["embed"]},
        {**GOOD, "data": 7},
    ],
)
def test_unusable_settings_are_refused(claim: Any) -> None:
    with pytest.raises(InvalidLaunch):
        settings_of(claim)


def test_the_line_item_is_asked_for_only_when_told_and_its_resource_id_is_stable() -> None:
    with_item = content_item("assignment", "a1", "HW 1", 7.0, "https://tool/lti/launch", "iframe", True)
    without = content_item("assignment", "a1", "HW 1", 7.0, "https://tool/lti/launch", "window", False)
    assert with_item["lineItem"]["resourceId"] == resource_id("assignment", "a1") == "assignment:a1"
    assert with_item["lineItem"]["scoreMaximum"] == 7.0 and with_item["custom"] == {"assignment_id": "a1"}
    assert "lineItem" not in without and without["window"] == {"targetName": "_blank"}


def test_the_response_goes_from_our_client_id_to_the_platform_and_echoes_data_only_if_sent() -> None:
    sent = response_claims("tool", "https://lms", "d1", 100, "n", [], DeepLinkSettings("u", "iframe", "x"))
    assert (sent["iss"], sent["aud"], sent["exp"], sent[DL_CLAIM + "data"]) == (
        "tool",
        "https://lms",
        700,
        "x",
    )
    assert DL_CLAIM + "data" not in response_claims(
        "tool", "i", "d1", 100, "n", [], DeepLinkSettings("u", "iframe")
    )
