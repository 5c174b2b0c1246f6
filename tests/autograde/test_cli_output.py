"""The ``autograde`` command as an operator runs it: quiet admin commands and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograde.cli import EXIT_BAD_INPUT
from tests.conftest import TEST_PASSWORD_HASH

ROOT = Path(__file__).resolve().parents[2]


def run_cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The real command in its own process, as a shell would start it."""
    return subprocess.run(
        [sys.executable, "-m", "autograde", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def cli_env(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUTOGRADE_")}
    env["AUTOGRADE_DATA_DIR"] = str(tmp_path)
    env["AUTOGRADE_PASSWORD_HASH_METHOD"] = TEST_PASSWORD_HASH  # what is checked is the output, not the cost
    if database_url:
        env["AUTOGRADE_DATABASE_URL"] = database_url
    return env


def check_quiet_commands_and_duplicate_account(env: dict[str, str]) -> None:
    create = ("account", "create", "--role", "learner", "--name", "alice", "--password-stdin")
    first = run_cli(env, *create, stdin="correct horse\n")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["name"] == "alice"
    assert first.stderr == ""  # no alembic "Context impl" / "Running upgrade" lines
    again = run_cli(env, *create, stdin="correct horse\n")
    assert again.returncode == EXIT_BAD_INPUT and again.stdout == ""
    assert again.stderr.strip().splitlines() == ["autograde: an account named 'alice' already exists"]
    token = run_cli(env, "token", "create", "--role", "learner", "--name", "alice")
    assert token.returncode == 0 and token.stderr == ""


def test_admin_commands_are_quiet_and_a_duplicate_account_is_one_line_on_sqlite(tmp_path: Path) -> None:
    check_quiet_commands_and_duplicate_account(cli_env(tmp_path, None))


@pytest.mark.postgres  # it creates a database on the server: not service-free, so scripts/test.sh runs it
def test_admin_commands_are_quiet_and_a_duplicate_account_is_one_line_on_postgres(
    tmp_path: Path, postgres_url: str
) -> None:
    check_quiet_commands_and_duplicate_account(cli_env(tmp_path, postgres_url))


def test_migrate_still_says_what_it_did(tmp_path: Path) -> None:
    done = run_cli(cli_env(tmp_path, None), "migrate")
    assert done.returncode == 0 and "latest schema" in done.stdout
    assert "Running upgrade" in done.stderr  # the one command whose job is migrating says so


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_a_duplicate_account_of_any_role_is_refused_without_a_traceback(tmp_path: Path, role: str) -> None:
    env = cli_env(tmp_path, None)
    create = ("account", "create", "--role", role, "--name", "prof", "--password-stdin")
    assert run_cli(env, *create, stdin="correct horse\n").returncode == 0
    again = run_cli(env, *create, stdin="correct horse\n")
    assert again.returncode == EXIT_BAD_INPUT and "Traceback" not in again.stderr
    assert "already exists" in again.stderr
