"""Build each URL rule's ``url_for`` function once per test process, not once per app.

The web tests build a fresh app for every test (its own database, clock and queue). Werkzeug
compiles two Python functions per URL rule while the app registers its blueprints, through
``ast`` and ``compile``: with about 170 rules that was 80% of a web test's set-up time.

The compiled function is the same for the same rule in every app built in this process: it
takes the rule as an argument (``.self``) and reads the rule's converters through it, so it
holds nothing of the app that built it. ``remember_route_builders()`` wraps werkzeug's
``Rule._compile_builder`` in a memo keyed by everything the builder reads (the rule's parsed
trace, its defaults, the converter classes and whether unknown arguments are appended).
Tests only: the service itself builds one app per process.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from werkzeug.routing import Rule

_Builder = Callable[..., tuple[str, str]]
_built: dict[Hashable, _Builder] = {}


def _key(rule: Rule, append_unknown: bool) -> Hashable:
    defaults = sorted((str(name), repr(value)) for name, value in (rule.defaults or {}).items())
    converters = sorted((name, type(converter)) for name, converter in rule._converters.items())
    return (rule.rule, tuple(rule._trace), tuple(defaults), tuple(converters), append_unknown)


def remember_route_builders() -> None:
    """Install the memo once; a second call changes nothing."""
    compile_builder: Any = Rule._compile_builder
    if getattr(compile_builder, "remembers", False):
        return

    def remembered(self: Rule, append_unknown: bool = True) -> _Builder:
        key = _key(self, append_unknown)
        if key not in _built:
            _built[key] = compile_builder(self, append_unknown)
        return _built[key]

    remembered.remembers = True  # type: ignore[attr-defined]
    Rule._compile_builder = remembered  # type: ignore[method-assign]
