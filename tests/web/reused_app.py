"""One routed app per test process, configured afresh for each test.

Routing the app (about 180 URL rules, each parsed and compiled by werkzeug) was a third of a
web test's time, and it is the same for every test: only ``web.app.configure``'s part depends on
the settings. Each test gets that part anew on the one routed app, after everything a test or an
earlier configuration may have set on it (config, extensions, the proxy wrapper) is put back as
routing left it, so no test sees another's store, clock, keys or settings.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.settings import Settings
from web.app import configure, routed_app


class ReusedApp:
    def __init__(self) -> None:
        self.app = routed_app()
        self.config = dict(self.app.config)

    def configured(self, settings: Settings, **handles: Any) -> Flask:
        app = self.app
        app.config.clear()
        app.config.update(self.config)
        app.extensions.clear()
        vars(app).pop("wsgi_app", None)  # a proxy wrapper an earlier configuration put on
        return configure(app, settings, **handles)
