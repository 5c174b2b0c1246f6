"""The HTTP adapter: a Flask app over the grading core, the record store and the queue."""

from __future__ import annotations

from web.app import create_app

__all__ = ["create_app"]
