"""Serving the Flask app with gunicorn, configured in code rather than by a config file."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from autograde.settings import Settings


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from grader.warmup import warm_up
        from web.app import create_app

        app = create_app(self.settings)
        warm_up()  # in each gunicorn worker: the first intake then validates as fast as the rest
        return app


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    settings.log_startup()
    from store.db import Store

    Store.from_url(settings.database_url).migrate()  # once, before workers fork
    options = {"bind": f"{host}:{port}", "workers": workers, "timeout": 120, "accesslog": "-"}
    _Gunicorn(settings, options).run()
