"""What every deployment file must agree on with the code: setting names, commands and key files."""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Iterable, Mapping, Sequence

import pytest

from autograde.cli import build_parser
from service.settings import PREFIX, Settings

SETTING_NAMES = frozenset(PREFIX + f.name.upper() for f in dataclasses.fields(Settings))
# not ours, but read by what we run: the Docker SDK finds its engine by DOCKER_HOST; the engine image its TLS by the other
LIBRARY_VARIABLES = frozenset({"DOCKER_HOST", "DOCKER_TLS_CERTDIR"})
KEY_FILE_SETTINGS = ("AUTOGRADE_SECRET_KEY_FILE", "AUTOGRADE_RECORDS_KEY_FILE")


def unknown_variables(names: Iterable[str]) -> list[str]:
    """Environment variable names that are neither a setting nor one a library reads: a typo the service ignores."""
    return sorted(name for name in names if name not in SETTING_NAMES and name not in LIBRARY_VARIABLES)


def parsed_command(argv: Sequence[str]) -> str:
    """The subcommand of ``autograde ARGS...``; fails the test if the CLI would refuse the arguments."""
    assert argv and argv[0] == "autograde", f"not an autograde command: {shlex.join(argv)}"
    try:
        args = build_parser().parse_args(list(argv[1:]))
    except SystemExit:
        pytest.fail(f"the CLI refuses: {shlex.join(argv)}")
    return str(args.command)


def option(argv: Sequence[str], name: str) -> str:
    return argv[list(argv).index(name) + 1]


def settings_from(environment: Mapping[str, str]) -> Settings:
    """The settings a process with this environment starts with (distributed mode validates them all)."""
    return Settings.from_env({name: value for name, value in environment.items() if name in SETTING_NAMES})


def key_files(settings: Settings) -> list[str]:
    """The files a web process reads its shared keys from."""
    return [
        path
        for path in (
            settings.secret_key_file,
            settings.records_key_file,
            *settings.previous_records_key_files,
        )
        if path
    ]
