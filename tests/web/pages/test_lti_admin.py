"""The admin's LTI page: a platform registered by its form, the tool URLs to give back, a deployment added,
and refusals (a bad field, a non-admin) that store nothing."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from store import Store
from tests.web.conftest import PASSWORD
from tests.web.pages_client import log_in, post_form

PAGE = "/admin/lti/"
MOODLE = {
    "id": "moodle",
    "name": "University Moodle",
    "issuer": "https://moodle.example.edu",
    "client_id": "abc123",
    "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
    "token_url": "https://moodle.example.edu/mod/lti/token.php",
    "jwks_url": "https://moodle.example.edu/mod/lti/certs.php",
    "deployment_ids": "1, 2",
    "courses": "ds101",
}


def test_an_admin_registers_a_platform_by_the_form_and_reads_the_tool_urls_to_give_back(
    client: FlaskClient, store: Store, people: None
) -> None:
    store.create_account("admin", "root", PASSWORD, None)
    log_in(client, "root")
    home = client.get("/teach/")
    assert f'href="{PAGE}"' in home.get_data(as_text=True)  # in the admin's navigation
    assert "moodle.example.edu" not in home.headers["Content-Security-Policy"]
    done = post_form(client, PAGE, PAGE, **MOODLE)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"{PAGE}#registration-moodle")
    stored = store.get_lti_registration("moodle")
    assert (stored.name, stored.deployment_ids, stored.courses) == (
        "University Moodle",
        ("1", "2"),
        ("ds101",),
    )
    page = client.get(PAGE)
    assert "frame-ancestors 'self' https://moodle.example.edu" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    card = html.split('id="registration-moodle"')[1].split("</section>")[0]
    for path in ("/lti/login", "/lti/launch", "/lti/jwks"):
        assert f"{path}</code>" in card
    added = post_form(client, PAGE, f"{PAGE}moodle/deployments", deployment_id="7")
    assert added.status_code == 302
    assert store.get_lti_registration("moodle").deployment_ids == ("1", "2", "7")


def test_the_form_keeps_a_platform_s_own_token_audience_and_leaves_it_out_when_blank(
    client: FlaskClient, store: Store, people: None
) -> None:
    store.create_account("admin", "root", PASSWORD, None)
    log_in(client, "root")
    assert post_form(client, PAGE, PAGE, **MOODLE).status_code == 302
    assert store.get_lti_registration("moodle").token_audience is None
    d2l = {**MOODLE, "id": "d2l", "issuer": "https://d2l.example.edu"}
    audience = "https://api.brightspace.com/auth/token"
    assert post_form(client, PAGE, PAGE, **d2l, token_audience=audience).status_code == 302
    assert store.get_lti_registration("d2l").token_audience == audience
    assert 'id="token_audience"' in client.get(PAGE).get_data(as_text=True)


def test_a_bad_field_is_shown_beside_its_input_with_the_form_as_typed_and_nothing_is_stored(
    client: FlaskClient, store: Store, row_counts: Callable[[], dict[str, int]]
) -> None:
    store.create_account("admin", "root", PASSWORD, None)
    log_in(client, "root")
    before = row_counts()
    refused = post_form(client, PAGE, PAGE, **{**MOODLE, "jwks_url": "ftp://moodle.example.edu/certs"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="jwks_url" name="jwks_url"' in html and 'aria-describedby="err-jwks_url"' in html
    assert 'id="err-jwks_url"' in html and "jwks_url" in html.split('id="err-jwks_url"')[1].split("</p>")[0]
    assert 'value="abc123"' in html  # what was typed stays
    assert row_counts() == before
    again = post_form(client, PAGE, f"{PAGE}nope/deployments", deployment_id="7")
    assert again.status_code == 404 and row_counts() == before


def test_only_an_admin_opens_or_posts_the_page(client: FlaskClient, store: Store, people: None) -> None:
    log_in(client, "prof")
    assert client.get(PAGE).status_code == 403
    assert post_form(client, "/teach/", PAGE, **MOODLE).status_code == 403
    assert store.list_lti_registrations() == []


def test_an_admin_makes_a_registration_link_sees_it_once_and_revokes_it(
    client: FlaskClient, store: Store, row_counts: Callable[[], dict[str, int]]
) -> None:
    store.create_account("admin", "root", PASSWORD, None)
    log_in(client, "root")
    made = post_form(
        client, PAGE, f"{PAGE}invitations", courses="ds101, ds102", label="Moodle", expires_in_hours="48"
    )
    html = made.get_data(as_text=True)
    assert made.status_code == 200, html
    url = html.split('<code id="invitation-url">')[1].split("</code>")[0]
    assert "/lti/register/" in url
    [invitation] = store.list_lti_invitations()
    assert invitation.courses == ("ds101", "ds102") and invitation.created_by == "root"
    assert (invitation.expires_at - invitation.created_at).total_seconds() == 48 * 3600
    listed = client.get(PAGE).get_data(as_text=True)
    assert url.rsplit("/", 1)[1] not in listed  # the link is never shown again
    assert f'id="invitation-{invitation.id}"' in listed and "<td>open</td>" in listed
    revoked = post_form(client, PAGE, f"{PAGE}invitations/{invitation.id}/revoke")
    assert revoked.status_code == 302 and store.list_lti_invitations()[0].revoked_at is not None
    before = row_counts()
    refused = post_form(client, PAGE, f"{PAGE}invitations", courses="", expires_in_hours="9999")
    assert refused.status_code == 422 and 'id="err-invitation"' in refused.get_data(as_text=True)
    assert row_counts() == before
    assert post_form(client, PAGE, f"{PAGE}invitations/nope/revoke").status_code == 404


def test_only_an_admin_makes_or_revokes_a_link(client: FlaskClient, store: Store, people: None) -> None:
    log_in(client, "prof")
    assert post_form(client, "/teach/", f"{PAGE}invitations", courses="ds101").status_code == 403
    assert store.list_lti_invitations() == []
