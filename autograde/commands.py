"""The long-running and admin subcommands: serve, worker, token, demo (filled in as they land)."""

from __future__ import annotations

import argparse


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    return None
