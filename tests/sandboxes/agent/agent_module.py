"""Loading one agent module from its file: the agent folder is deliberately not a package."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.conftest import ROOT

AGENT = ROOT / "sandboxes" / "agent"


def agent_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"agent_{name}", AGENT / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
