"""The tool's published key set: made on first use, verifiable by an independent library, and rotated without a gap."""

from __future__ import annotations

import stat
from pathlib import Path

from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import KeySet

from integrations.lti_keys import new_private_key_pem, private_key_from_pem
from service.lti_keys import load_tool_keys
from service.settings import Settings
from tests.web.fakes import FakeEnqueuer
from web import create_app


def test_the_key_set_is_published_at_both_addresses_and_the_key_kept_private(
    client: FlaskClient, settings: Settings
) -> None:
    reply = client.get("/lti/jwks")
    assert reply.status_code == 200
    keys = reply.json["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and "d" not in keys[0]
    assert client.get("/.well-known/jwks.json").json == reply.json
    assert stat.S_IMODE(Path(settings.lti_key_file).stat().st_mode) == 0o600


def test_what_the_tool_signs_verifies_with_the_published_set(client: FlaskClient, settings: Settings) -> None:
    published = KeySet.import_key_set(client.get("/lti/jwks").json)
    tool = load_tool_keys(settings)
    import jwt as pyjwt  # the tool's own signer; the check below is joserfc's

    token = pyjwt.encode({"iss": "tool"}, tool.signing, algorithm="RS256", headers={"kid": tool.kid})
    assert jwt.decode(token, published).claims == {"iss": "tool"}


def test_a_rotation_publishes_the_new_key_first_and_keeps_the_old(tmp_path: Path, settings: Settings) -> None:
    old, new = tmp_path / "old.pem", tmp_path / "new.pem"
    old.write_bytes(new_private_key_pem())
    new.write_bytes(new_private_key_pem())
    before = create_app(settings.replace(lti_key_file=str(old)), enqueuer=FakeEnqueuer()).test_client()
    old_set = before.get("/lti/jwks").json["keys"]
    rotated = settings.replace(lti_key_file=str(new), lti_previous_keys=str(old))
    after = create_app(rotated, enqueuer=FakeEnqueuer()).test_client()
    keys = after.get("/lti/jwks").json["keys"]
    assert [key["kid"] for key in keys][1:] == [old_set[0]["kid"]]
    assert keys[0]["kid"] == load_tool_keys(rotated).kid != old_set[0]["kid"]
    assert private_key_from_pem(new.read_bytes()).key_size == 2048


def test_an_unreadable_key_is_a_503_with_the_reason(tmp_path: Path, settings: Settings) -> None:
    broken = tmp_path / "broken.pem"
    broken.write_text("not a key")
    app = create_app(settings.replace(lti_key_file=str(broken)), enqueuer=FakeEnqueuer())
    reply = app.test_client().get("/lti/jwks")
    assert reply.status_code == 503 and "not usable" in reply.json["message"]
