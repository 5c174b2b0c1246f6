"""An admin registers an LMS on the LTI page in a real browser: a mistyped URL is pointed out beside its
field with the rest kept, the corrected form registers it, and the tool URLs to give back are shown."""

from __future__ import annotations

from typing import Any

import pytest

from store import Store
from tests.e2e.browser.helpers import PASSWORD, PHONE, log_in, overflow, screenshot
from tests.web.pages.test_lti_admin import MOODLE

pytestmark = [pytest.mark.browser, pytest.mark.redis]
LABELS = {
    "id": "Registration id (a-z, 0-9, - and _)",
    "issuer": "Issuer (iss)",
    "client_id": "Client id",
    "auth_login_url": "Platform authentication (OIDC) URL",
    "token_url": "Platform access token URL",
    "jwks_url": "Platform keyset (JWKS) URL",
    "deployment_ids": "Deployment ids",
    "courses": "Our courses it may launch into",
}


def test_an_admin_registers_an_lms_and_reads_the_urls_to_give_back(
    browser: Any, server: str, accounts: Store
) -> None:
    accounts.create_account("admin", "root", PASSWORD, None)
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    try:
        log_in(page, server, "root")
        page.get_by_role("link", name="LTI platforms").click()
        for name, label in LABELS.items():
            page.get_by_label(label, exact=True).fill(
                {**MOODLE, "jwks_url": "moodle.example.edu/certs"}[name]
            )
        page.get_by_role("button", name="Register the platform").click()
        error = page.locator("#err-jwks_url")
        assert "jwks_url" in error.inner_text()
        assert page.get_by_label("Client id", exact=True).input_value() == "abc123"  # kept as typed
        page.get_by_label(LABELS["jwks_url"], exact=True).fill(MOODLE["jwks_url"])
        page.get_by_role("button", name="Register the platform").click()
        card = page.locator("#registration-moodle")
        card.wait_for()
        assert f"{server}/lti/launch" in card.inner_text()
        assert accounts.get_lti_registration("moodle").deployment_ids == ("1", "2")
        screenshot(page, "lti-admin-registered")
        page.set_viewport_size(PHONE)
        assert overflow(page) == 0
    finally:
        context.close()
