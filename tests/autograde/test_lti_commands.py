"""``autograde lti``: registering a platform and its deployments from the command line, and making a tool key."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from autograde.cli import EXIT_BAD_INPUT, main

REGISTER = [
    "lti",
    "register",
    "--id",
    "canvas",
    "--issuer",
    "https://canvas.instructure.com",
    "--client-id",
    "10000000000001",
    "--auth-login-url",
    "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "--token-url",
    "https://sso.canvaslms.com/login/oauth2/token",
    "--jwks-url",
    "https://sso.canvaslms.com/api/lti/security/jwks",
    "--deployment",
    "1:abc",
    "--course",
    "ds101",
]


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AUTOGRADE_DATA_DIR", str(tmp_path))


def test_register_add_a_deployment_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(REGISTER) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["client_id"] == "10000000000001" and printed["deployment_ids"] == ["1:abc"]
    assert main(["lti", "deployment", "--id", "canvas", "--deployment", "2:def"]) == 0
    assert json.loads(capsys.readouterr().out)["deployment_ids"] == ["1:abc", "2:def"]
    assert main(["lti", "list"]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["canvas"]


def test_register_keeps_a_platform_s_own_token_audience(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(REGISTER) == 0
    assert json.loads(capsys.readouterr().out)["token_audience"] is None  # the token URL, then
    brightspace = [*REGISTER, "--token-audience", "https://api.brightspace.com/auth/token"]
    brightspace[brightspace.index("--id") + 1] = "d2l"
    brightspace[brightspace.index("--client-id") + 1] = "d2l-client"
    assert main(brightspace) == 0
    assert json.loads(capsys.readouterr().out)["token_audience"] == "https://api.brightspace.com/auth/token"
    assert main([*brightspace[:3], "d2l-2", *brightspace[4:-1], "bad\taudience"]) == EXIT_BAD_INPUT
    assert "'token_audience' must be printable text" in capsys.readouterr().err


def test_an_earlier_registration_gets_its_token_audience_and_loses_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(REGISTER) == 0
    capsys.readouterr()
    audience = "https://api.brightspace.com/auth/token"
    assert main(["lti", "token-audience", "--id", "canvas", "--audience", audience]) == 0
    assert json.loads(capsys.readouterr().out)["token_audience"] == audience
    assert main(["lti", "token-audience", "--id", "canvas", "--clear"]) == 0
    assert json.loads(capsys.readouterr().out)["token_audience"] is None
    assert main(["lti", "token-audience", "--id", "canvas", "--audience", "bad\taudience"]) == EXIT_BAD_INPUT
    assert "'token_audience' must be printable text" in capsys.readouterr().err
    assert main(["lti", "token-audience", "--id", "nope", "--audience", audience]) != 0
    assert "no LTI registration with id 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # one or the other, never neither
        main(["lti", "token-audience", "--id", "canvas"])


def test_register_refuses_a_repeat_a_bad_id_and_a_bad_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(REGISTER) == 0
    capsys.readouterr()
    assert main([*REGISTER[:3], "canvas-2", *REGISTER[4:]]) == EXIT_BAD_INPUT  # same issuer and client id
    assert "already registered as 'canvas'" in capsys.readouterr().err
    assert main([*REGISTER[:3], "Bad Id", *REGISTER[4:]]) == EXIT_BAD_INPUT
    bad_url = [*REGISTER]
    bad_url[bad_url.index("--jwks-url") + 1] = "ftp://keys"
    bad_url[bad_url.index("--id") + 1] = "other"
    assert main(bad_url) == EXIT_BAD_INPUT
    assert "'jwks_url' must be an absolute http" in capsys.readouterr().err
    assert main(["lti", "deployment", "--id", "nobody", "--deployment", "x"]) == EXIT_BAD_INPUT


def test_keygen_writes_a_private_key_once_and_prints_its_public_jwk(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "tool.pem"
    assert main(["lti", "keygen", "--out", str(out)]) == 0
    jwk = json.loads(capsys.readouterr().out)
    assert jwk["kty"] == "RSA" and jwk["alg"] == "RS256" and "d" not in jwk and jwk["kid"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert main(["lti", "keygen", "--out", str(out)]) == EXIT_BAD_INPUT


def test_roster_sync_names_a_course_that_never_launched(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(REGISTER) == 0
    assert main(["lti", "roster", "--id", "canvas", "--context", "never-launched"]) == EXIT_BAD_INPUT
    assert "has launched here" in capsys.readouterr().err


def test_invite_prints_the_link_once_then_lists_and_revokes_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOGRADE_PUBLIC_URL", "https://grades.example.edu")
    assert main(["lti", "invite", "--course", "ds101", "--label", "Moodle", "--hours", "2"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["url"].startswith("https://grades.example.edu/lti/register/") and made["state"] == "open"
    assert made["courses"] == ["ds101"] and made["created_by"] == "cli"
    assert main(["lti", "invitations"]) == 0
    listed = capsys.readouterr().out
    assert made["id"] in listed and made["url"].rsplit("/", 1)[1] not in listed
    assert main(["lti", "revoke-invitation", "--id", made["id"]]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "revoked"


def test_invite_refuses_a_bad_lifetime_or_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lti", "invite", "--course", "ds101", "--hours", "0"]) == EXIT_BAD_INPUT
    assert "'expires_in_hours'" in capsys.readouterr().err
    assert main(["lti", "invite", "--course", "ds101", "--registration-id", "Bad Id"]) == EXIT_BAD_INPUT
    assert main(["lti", "invitations"]) == 0 and capsys.readouterr().out == ""
