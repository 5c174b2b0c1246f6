"""API tokens through the API: listed without their secrets, revoked by an admin or their owner,
and a revoked token refused at once (401 JSON) on every route that needs one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from store import Store
from tests.web.conftest import START
from tests.web.fakes import FakeClock
from tests.web.test_openapi import Contract, contract, document  # noqa: F401  (fixtures)

ADMIN = {"Authorization": "Bearer admin-secret"}
ARGUMENT = re.compile(r"<(?:([^:<>]+):)?[^<>]+>")
FIELDS = {"id", "owner", "role", "courses", "created_at", "last_used_at", "revoked", "revoked_at"}


def bearer(plaintext: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plaintext}"}


def api_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, url) of every API rule that needs a token, its arguments filled with a placeholder."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not rule.rule.startswith("/api/v1/") or getattr(view, "public", False):
            continue
        url = ARGUMENT.sub(lambda m: "1" if m.group(1) == "int" else "x", rule.rule)
        found += [(method, url) for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return found


def test_an_admin_lists_every_token_without_its_secret(
    client: FlaskClient,
    store: Store,
    contract: Contract,
) -> None:
    secrets = [
        store.create_token("instructor", "prof", ["ds101"])[0],
        store.create_token("learner", "alice", None)[0],
    ]
    listed = contract.check("get", "/tokens", client.get("/api/v1/tokens", headers=ADMIN))
    assert listed.status_code == 200
    assert [(t["owner"], t["role"], t["courses"]) for t in listed.json] == [
        ("prof", "instructor", ["ds101"]),
        ("alice", "learner", None),
    ]
    assert all(set(t) == FIELDS and t["revoked"] is False for t in listed.json)
    assert not any(secret in listed.get_data(as_text=True) for secret in secrets)


def test_a_revoked_token_is_refused_at_once_on_every_api_route(
    app: Flask,
    client: FlaskClient,
    store: Store,
    contract: Contract,
) -> None:
    plaintext, record = store.create_token("admin", "ops", None)
    assert (
        client.get("/api/v1/tokens", headers=bearer(plaintext)).status_code == 200
    )  # it works until revoked
    revoked = client.post(f"/api/v1/tokens/{record.id}/revoke", headers=ADMIN)
    assert contract.check("post", "/tokens/{token_id}/revoke", revoked).status_code == 200
    assert revoked.json["revoked"] is True and revoked.json["revoked_at"] == START.isoformat()
    routes = api_routes(app)
    assert len(routes) > 40  # the whole API, not a sample
    for method, url in routes:
        answer = client.open(url, method=method, headers=bearer(plaintext))
        assert (answer.status_code, answer.json["error"]) == (401, "unauthenticated"), (method, url)


def test_a_caller_lists_and_revokes_its_own_tokens_and_no_others(client: FlaskClient, store: Store) -> None:
    mine, first = store.create_token("learner", "alice", ["ds101"])
    _, second = store.create_token("learner", "alice", None)
    bobs, bob = store.create_token("learner", "bob", None)
    _, prof = store.create_token("instructor", "prof", ["ds101"])
    _, machine = store.create_token(
        "platform", "alice", ["ds101"]
    )  # a platform that shares the name is not alice
    listed = client.get("/api/v1/tokens", headers=bearer(mine)).json
    assert [t["id"] for t in listed] == [first.id, second.id]
    for other in (bob, prof, machine):
        refused = client.post(f"/api/v1/tokens/{other.id}/revoke", headers=bearer(mine))
        assert (refused.status_code, refused.json["error"]) == (
            404,
            "not_found",
        )  # not even whether it exists
    assert client.get("/api/v1/tokens", headers=bearer(bobs)).status_code == 200
    assert client.post(f"/api/v1/tokens/{second.id}/revoke", headers=bearer(mine)).status_code == 200
    assert store.get_token(second.id).revoked_at is not None and store.get_token(first.id).revoked_at is None
    assert client.post(f"/api/v1/tokens/{first.id}/revoke", headers=bearer(mine)).status_code == 200  # itself
    assert client.get("/api/v1/tokens", headers=bearer(mine)).status_code == 401


def test_revoking_twice_keeps_the_first_time_and_an_unknown_token_is_a_404(
    client: FlaskClient, store: Store, clock: FakeClock
) -> None:
    _, record = store.create_token("learner", "alice", None)
    assert (
        client.post(f"/api/v1/tokens/{record.id}/revoke", headers=ADMIN).json["revoked_at"]
        == START.isoformat()
    )
    clock.advance(hours=1)
    assert (
        client.post(f"/api/v1/tokens/{record.id}/revoke", headers=ADMIN).json["revoked_at"]
        == START.isoformat()
    )
    for unknown in (
        "999999",
        "0",
        str(2**63),
        "9" * 30,
    ):  # past the databases' integers too: a 404, not a 500
        missing = client.post(f"/api/v1/tokens/{unknown}/revoke", headers=ADMIN)
        assert (missing.status_code, missing.json["error"]) == (404, "not_found"), unknown


def test_the_list_says_when_each_token_was_last_used(
    client: FlaskClient, store: Store, clock: FakeClock, token: Callable[..., dict[str, str]]
) -> None:
    used = token("learner", "alice")
    token("learner", "alice")  # never used
    client.get("/api/v1/tokens", headers=used)
    clock.advance(seconds=5)
    listed: list[dict[str, Any]] = client.get("/api/v1/tokens", headers=ADMIN).json
    assert [t["last_used_at"] for t in listed] == [START.isoformat(), None]


@pytest.mark.parametrize("role", ["learner", "instructor", "platform"])
def test_only_admins_see_other_owners_tokens(client: FlaskClient, store: Store, role: str) -> None:
    store.create_token("learner", "someone-else", None)
    mine, _ = store.create_token(role, "me", ["ds101"])
    assert [t["owner"] for t in client.get("/api/v1/tokens", headers=bearer(mine)).json] == ["me"]


def test_a_disabled_accounts_tokens_are_refused_at_once(
    client: FlaskClient, store: Store, people: None
) -> None:
    """The attack: disabling used to end the person's page sessions only, and their API tokens kept working."""
    plaintext, record = store.create_token("instructor", "prof", ["ds101"])
    assert client.get("/api/v1/tokens", headers=bearer(plaintext)).status_code == 200
    store.disable_account("prof")
    refused = client.get("/api/v1/tokens", headers=bearer(plaintext))
    assert (refused.status_code, refused.json["error"]) == (401, "unauthenticated")
    assert client.get("/api/v1/tokens", headers=ADMIN).json[0]["revoked"] is True
