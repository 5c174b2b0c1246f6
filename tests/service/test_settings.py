"""The one settings object: the embedded default, and what a distributed deployment must configure (issue 19)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.errors import BadInput
from service.settings import Settings
from tests.conftest import ROOT

POSTGRES = "postgresql+psycopg://autograde@db.internal:5432/autograde"
SHARED = {
    "deployment_mode": "distributed",
    "deployment_id": "grades-prod",
    "database_url": POSTGRES,
    "secret_key_file": "/run/secrets/session-secret",
    "records_key_file": "/run/secrets/records-signing-key.pem",
}


def test_embedded_mode_is_the_default_and_keeps_everything_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path))
    assert settings.deployment_mode == "embedded" and not settings.distributed
    assert settings.database_url == f"sqlite:///{tmp_path / 'autograde.db'}"
    assert settings.records_key_file == str(tmp_path / "records-signing-key.pem")


def test_a_fully_configured_distributed_deployment_is_accepted() -> None:
    settings = Settings(**SHARED)
    assert settings.distributed and settings.deployment_id == "grades-prod"


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("secret_key_file", "AUTOGRADE_SECRET_KEY_FILE"),
        ("records_key_file", "AUTOGRADE_RECORDS_KEY_FILE"),
        ("deployment_id", "AUTOGRADE_DEPLOYMENT_ID"),
        ("database_url", "AUTOGRADE_DATABASE_URL"),
    ],
)
def test_distributed_mode_refuses_to_start_without_shared_configuration(missing: str, named: str) -> None:
    with pytest.raises(BadInput, match=named) as refused:
        Settings(**{**SHARED, missing: ""})
    assert "\n" not in refused.value.message


def test_every_missing_setting_is_named_in_one_line() -> None:
    with pytest.raises(BadInput) as refused:
        Settings(deployment_mode="distributed")
    message = refused.value.message
    assert "\n" not in message
    for name in (
        "AUTOGRADE_SECRET_KEY_FILE",
        "AUTOGRADE_RECORDS_KEY_FILE",
        "AUTOGRADE_DEPLOYMENT_ID",
        "AUTOGRADE_DATABASE_URL",
    ):
        assert name in message


def test_distributed_mode_refuses_an_sqlite_database_no_other_host_can_read(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="AUTOGRADE_DATABASE_URL.*SQLite"):
        Settings(**{**SHARED, "database_url": f"sqlite:///{tmp_path / 'autograde.db'}"})


def test_a_session_secret_given_in_the_environment_serves_as_well_as_a_file() -> None:
    assert Settings(**{**SHARED, "secret_key_file": "", "secret_key": "s" * 48}).secret_key == "s" * 48


def test_the_session_secret_comes_from_one_place_only() -> None:
    with pytest.raises(BadInput, match="AUTOGRADE_SECRET_KEY.*AUTOGRADE_SECRET_KEY_FILE"):
        Settings(secret_key="s" * 48, secret_key_file="/run/secrets/session-secret")


def test_an_unknown_deployment_mode_is_refused() -> None:
    with pytest.raises(BadInput, match="AUTOGRADE_DEPLOYMENT_MODE"):
        Settings(deployment_mode="cluster")


@pytest.mark.parametrize("bad", ["Grades Prod", "-grades", "a" * 64, "grades/prod"])
def test_a_deployment_id_that_cannot_be_a_label_value_is_refused(bad: str) -> None:
    with pytest.raises(BadInput, match="AUTOGRADE_DEPLOYMENT_ID"):
        Settings(deployment_id=bad)


def test_embedded_deployment_id_is_derived_from_redis_and_queue_prefix_as_before() -> None:
    """Sandboxes labelled before the setting existed stay recognised as this deployment's own."""
    one = Settings(redis_url="redis://127.0.0.1:6379/0")
    assert one.deployment_id == "bcb10e2eb523b351"  # sha256("redis://127.0.0.1:6379/0|autograde")[:16]
    assert Settings(redis_url="redis://127.0.0.1:6379/1").deployment_id != one.deployment_id
    assert Settings(redis_url=one.redis_url, queue_prefix="other").deployment_id != one.deployment_id
    assert Settings(deployment_id="grades-test").deployment_id == "grades-test"


def test_previous_records_keys_are_a_comma_separated_list_of_files() -> None:
    settings = Settings(records_previous_keys=" /keys/2024.pem, /keys/2025.pem ,")
    assert settings.previous_records_key_files == ("/keys/2024.pem", "/keys/2025.pem")
    assert Settings().previous_records_key_files == ()


def test_settings_come_from_the_environment() -> None:
    environ = {f"AUTOGRADE_{name.upper()}": value for name, value in SHARED.items()}
    assert Settings.from_env(environ) == Settings(**SHARED)


def run_cli(command: list[str], data_dir: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """``python -m autograde COMMAND`` with only the given ``AUTOGRADE_*`` settings, as a fresh host would start."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith("AUTOGRADE_")}
    environ.update(
        {f"AUTOGRADE_{name.upper()}": value for name, value in settings.items()},
        AUTOGRADE_DATA_DIR=str(data_dir),
    )
    return subprocess.run(
        [sys.executable, "-m", "autograde", *command],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["worker", "--burst"]])
@pytest.mark.parametrize(
    ("configured", "named"),
    [
        ({}, "AUTOGRADE_RECORDS_KEY_FILE"),
        ({name: value for name, value in SHARED.items() if name != "database_url"}, "AUTOGRADE_DATABASE_URL"),
        ({**SHARED, "database_url": "sqlite:///var/autograde.db"}, "not SQLite"),
    ],
)
def test_web_and_worker_exit_with_one_line_when_distributed_mode_is_not_configured(
    command: list[str], configured: dict[str, str], named: str, tmp_path: Path
) -> None:
    done = run_cli(command, tmp_path, **{**configured, "deployment_mode": "distributed"})
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograde: ") and named in lines[0], done.stderr
    assert not list(tmp_path.iterdir())  # nothing was made: no SQLite file, no key


def test_a_changed_setting_carries_the_defaults_derived_from_it_along() -> None:
    """``replace(data_dir=...)`` once kept the old directory's key file: a second host signed with the first's key."""
    moved = Settings(data_dir="/hosts/a").replace(data_dir="/hosts/b")
    assert moved.records_key_file == "/hosts/b/records-signing-key.pem"
    assert moved.database_url == "sqlite:////hosts/b/autograde.db"
    other_redis = "redis://elsewhere:6379/0"
    assert (
        Settings().replace(redis_url=other_redis).deployment_id
        == Settings(redis_url=other_redis).deployment_id
    )
    explicit = Settings(
        data_dir="/hosts/a", records_key_file="/keys/k.pem", deployment_id="grades", database_url=POSTGRES
    )
    kept = explicit.replace(data_dir="/hosts/b", redis_url=other_redis)
    assert (kept.records_key_file, kept.deployment_id, kept.database_url) == (
        "/keys/k.pem",
        "grades",
        POSTGRES,
    )


@pytest.mark.parametrize(
    "value",
    ["cfdb085900b5", "sha256:" + "A" * 64, "sha256:" + "0" * 63, "autograde-sandbox@sha256:" + "0" * 64],
)
def test_a_sandbox_image_pin_must_be_a_full_image_id(value: str) -> None:
    with pytest.raises(BadInput, match="AUTOGRADE_SANDBOX_IMAGE_ID must be a full image id"):
        Settings.from_env({"AUTOGRADE_SANDBOX_IMAGE_ID": value})
    pinned = "sha256:" + "0a" * 32
    assert Settings.from_env({"AUTOGRADE_SANDBOX_IMAGE_ID": pinned}).sandbox_image_id == pinned
