"""The admin's token page: every token without its secret, and a revoke button that cuts one off at once."""

from __future__ import annotations

from flask.testing import FlaskClient

from store import Store
from tests.web.conftest import PASSWORD
from tests.web.pages_client import log_in, post_form

PAGE = "/admin/tokens/"


def test_an_admin_sees_every_token_and_revokes_one_with_the_form(
    client: FlaskClient, store: Store, people: None
) -> None:
    store.create_account("admin", "root", PASSWORD, None)
    secret, record = store.create_token("instructor", "prof", ["ds101"])
    _, other = store.create_token("learner", "alice", ["ds101"])
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/tokens", headers=headers).status_code == 200
    log_in(client, "root")
    page = client.get(PAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and secret not in html
    assert 'id="tokens"' in html and "prof" in html and "alice" in html and "ds101" in html
    assert f'href="{PAGE}"' in client.get("/teach/").get_data(as_text=True)  # in the admin's navigation
    done = post_form(client, PAGE, f"{PAGE}{record.id}/revoke")
    assert done.status_code == 302 and done.headers["Location"].endswith(PAGE)
    assert client.get("/api/v1/tokens", headers=headers).status_code == 401
    assert store.get_token(other.id).revoked_at is None
    row = client.get(PAGE).get_data(as_text=True).split(f'id="token-{record.id}"')[1].split("</tr>")[0]
    assert "revoked" in row and "Revoke" not in row  # nothing left to press


def test_a_revoke_without_the_forms_csrf_token_changes_nothing(client: FlaskClient, store: Store) -> None:
    store.create_account("admin", "root", PASSWORD, None)
    _, record = store.create_token("learner", "alice", None)
    log_in(client, "root")
    refused = client.post(f"{PAGE}{record.id}/revoke", data={})
    assert refused.status_code == 403 and store.get_token(record.id).revoked_at is None


def test_only_admins_have_the_page(client: FlaskClient, store: Store, people: None) -> None:
    _, record = store.create_token("learner", "alice", None)
    log_in(client, "prof")
    assert client.get(PAGE).status_code == 403
    assert f'href="{PAGE}"' not in client.get("/teach/").get_data(as_text=True)
    assert post_form(client, "/teach/", f"{PAGE}{record.id}/revoke").status_code == 403
    assert store.get_token(record.id).revoked_at is None


def test_revoking_an_unknown_token_is_a_readable_404(client: FlaskClient, store: Store) -> None:
    store.create_account("admin", "root", PASSWORD, None)
    log_in(client, "root")
    missing = post_form(client, PAGE, f"{PAGE}999/revoke")
    assert missing.status_code == 404 and "no token with id 999" in missing.get_data(as_text=True)
