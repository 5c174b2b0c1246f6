"""The ``autograde`` admin commands (tokens, accounts, platforms, programmes): what they print and refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograde.cli import EXIT_BAD_INPUT, main
from tests.conftest import SANDBOX_IMAGE


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOGRADE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AUTOGRADE_SANDBOX_IMAGE", SANDBOX_IMAGE)
    monkeypatch.setenv("AUTOGRADE_CELL_TIMEOUT", "5")


def test_token_create_prints_a_token_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "--role", "learner", "--name", "alice"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["role"] == "learner" and printed["name"] == "alice" and len(printed["token"]) > 30


def test_token_list_shows_tokens_without_secrets_and_revoke_cuts_one_off(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from store import Store

    assert main(["token", "create", "--role", "learner", "--name", "alice"]) == 0
    alice = json.loads(capsys.readouterr().out)
    assert main(["token", "create", "--role", "instructor", "--name", "prof", "--course", "ds101"]) == 0
    capsys.readouterr()
    assert main(["token", "list"]) == 0
    out = capsys.readouterr().out
    listed = [json.loads(line) for line in out.splitlines()]
    assert [(t["owner"], t["role"], t["revoked"]) for t in listed] == [
        ("alice", "learner", False),
        ("prof", "instructor", False),
    ]
    assert alice["token"] not in out and alice["id"] == listed[0]["id"]
    assert main(["token", "list", "--name", "prof"]) == 0
    assert [json.loads(line)["owner"] for line in capsys.readouterr().out.splitlines()] == ["prof"]
    assert main(["token", "revoke", str(alice["id"])]) == 0
    revoked = json.loads(capsys.readouterr().out)
    assert revoked["id"] == alice["id"] and revoked["revoked"] is True and revoked["revoked_at"]
    assert Store.from_url(f"sqlite:///{tmp_path / 'autograde.db'}").find_token(alice["token"]) is None
    for unknown in ("999", str(2**63)):
        assert main(["token", "revoke", unknown]) == EXIT_BAD_INPUT
        assert capsys.readouterr().err.strip() == f"autograde: no token with id {unknown}"


def test_account_create_reads_the_password_from_stdin_and_never_prints_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import io

    from store import Store

    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse\n"))
    args = [
        "account",
        "create",
        "--role",
        "instructor",
        "--name",
        "prof",
        "--course",
        "ds101",
        "--password-stdin",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == {"id": 1, "role": "instructor", "name": "prof", "courses": ["ds101"]}
    assert "correct horse" not in out
    found = Store.from_url(f"sqlite:///{tmp_path / 'autograde.db'}").check_password("prof", "correct horse")
    assert found is not None and found.courses == ("ds101",)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert (
        main(["account", "create", "--role", "learner", "--name", "alice", "--password-stdin"])
        == EXIT_BAD_INPUT
    )
    assert "password" in capsys.readouterr().err


def test_account_password_and_disable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import io

    from store import Store

    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse\n"))
    assert main(["account", "create", "--role", "learner", "--name", "alice", "--password-stdin"]) == 0
    store = Store.from_url(f"sqlite:///{tmp_path / 'autograde.db'}")
    first = store.check_password("alice", "correct horse")
    monkeypatch.setattr("sys.stdin", io.StringIO("battery staple\n"))
    assert main(["account", "password", "--name", "alice", "--password-stdin"]) == 0
    assert "battery staple" not in capsys.readouterr().out
    second = store.check_password("alice", "battery staple")
    assert first is not None and second is not None and first.credential != second.credential
    assert store.check_password("alice", "correct horse") is None
    monkeypatch.setattr("sys.stdin", io.StringIO("battery staple\n"))
    assert main(["account", "password", "--name", "nobody", "--password-stdin"]) == EXIT_BAD_INPUT
    assert "no account named 'nobody'" in capsys.readouterr().err
    token = store.create_token("learner", "alice", None)[0]
    assert main(["account", "disable", "--name", "alice"]) == 0
    assert json.loads(capsys.readouterr().out) == {"name": "alice", "disabled": True, "tokens_revoked": 1}
    assert store.find_token(token) is None
    assert store.check_password("alice", "battery staple") is None and store.find_account(second.id) is None
    assert main(["account", "disable", "--name", "nobody"]) == EXIT_BAD_INPUT


def test_platform_create_prints_its_secret_and_token_once(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "platform",
        "create",
        "--id",
        "lms",
        "--callback-url",
        "https://lms.example/cb",
        "--course",
        "ds101",
    ]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["webhook_path"] == "/api/v1/platforms/lms/submissions" and len(printed["secret"]) >= 32
    assert main(args) == EXIT_BAD_INPUT  # the same id twice
    assert "already exists" in capsys.readouterr().err
    assert main(["platform", "create", "--id", "Bad Id", "--course", "c"]) == EXIT_BAD_INPUT
    assert (
        main(["platform", "create", "--id", "x", "--course", "c", "--callback-url", "ftp://x"])
        == EXIT_BAD_INPUT
    )
    assert "http://" in capsys.readouterr().err


def test_programme_create_stores_a_good_spec_and_refuses_one_needing_more_electives_than_it_lists(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.web.api.test_records import PROGRAMME

    spec = tmp_path / "programme.json"
    spec.write_text(json.dumps({**PROGRAMME, "electives_needed": 1}))
    assert main(["programme", "create", str(spec)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        "autograde: programme.json: electives_needed: the programme requires 1 elective but lists none (required: false)"
    )
    spec.write_text(json.dumps(PROGRAMME))
    assert main(["programme", "create", str(spec)]) == 0
    created = json.loads(capsys.readouterr().out)
    assert (created["id"], created["title"]) == (PROGRAMME["id"], PROGRAMME["title"])
    assert main(["programme", "create", str(spec)]) == EXIT_BAD_INPUT
    assert "already exists" in capsys.readouterr().err
    assert main(["programme", "create", str(tmp_path / "missing.yaml")]) == EXIT_BAD_INPUT
