"""Serving the Flask app with waitress, so that slow or idle clients cannot starve it (issue 18, item 3).

Waitress reads every connection on one asynchronous I/O thread and hands a request to a
worker thread only once it has arrived whole (headers and body, the body spooled to a
temporary file past 512 KiB). A client that sends slowly, or not at all, holds a socket and
a buffer, never a thread: synchronous gunicorn workers, which block reading their one client,
stopped answering ``/healthz`` at four half-sent requests.

Three bounds keep those sockets from piling up:
- ``client_idle_timeout``: a connection that sends and receives nothing that long is closed
  (keep-alive connections, requests stalled half way);
- ``client_request_timeout``: one request must arrive whole within that long from its first
  byte, however steadily it trickles in (waitress has no such limit; ``DeadlineChannel`` adds it);
- ``web_connection_limit`` connections at once, then new ones wait in the listen backlog.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Iterable
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer

from service.settings import Settings

CLEANUP_INTERVAL = 1  # seconds between sweeps for idle and overdue connections; a sweep is a loop over them
access_log = logging.getLogger("autograde.access")
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class DeadlineChannel(HTTPChannel):  # type: ignore[misc]
    """A connection that notes when its request in progress began, so that a sweep can end it when overdue."""

    request_started: float | None = None

    def received(self, data: bytes) -> bool:
        before = self.request
        result: bool = super().received(data)
        if self.request is None:
            self.request_started = None  # nothing half-received: any request in this data arrived whole
        elif self.request is not before:
            self.request_started = time.time()
        return result


class Server(TcpWSGIServer):  # type: ignore[misc]
    """Waitress's TCP server whose periodic sweep also closes connections whose request is overdue."""

    channel_class = DeadlineChannel

    def __init__(self, application: Any, request_timeout: float, **kwargs: Any) -> None:
        self.request_timeout = request_timeout
        super().__init__(application, **kwargs)

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # closes connections idle past channel_timeout
        cutoff = now - self.request_timeout
        for channel in list(self.active_channels.values()):
            started = getattr(channel, "request_started", None)
            if started is not None and started < cutoff:
                channel.will_close = True  # the I/O loop closes it on its next pass


def with_access_log(app: WSGIApp) -> WSGIApp:
    """One line per request (client, method, path, status, time to the app's answer), as gunicorn's access log gave.

    The query string is left out: it may carry what a log should not keep.
    """

    def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["-"]

        def record(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = line.split(" ", 1)[0]
            return start_response(line, headers, exc_info)

        try:
            return app(environ, record)
        finally:
            access_log.info(
                "%s %s %s %s %.1f ms",
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO"),
                status[0],
                (time.perf_counter() - started) * 1000,
            )

    return logged


def server_options(settings: Settings) -> dict[str, Any]:
    """Waitress adjustments from the settings: the client bounds above, and a body cap past the app's own."""
    from web.app import ENVELOPE_SLACK

    return {
        "threads": settings.web_threads,
        "channel_timeout": settings.client_idle_timeout,
        "cleanup_interval": CLEANUP_INTERVAL,
        "connection_limit": settings.web_connection_limit,
        # the app answers an over-limit upload with its JSON 413; waitress stops only far larger ones
        "max_request_body_size": 2 * (settings.max_upload_bytes + ENVELOPE_SLACK),
        "max_request_header_size": 64 * 1024,
        "ident": "autograde",
    }


def build_server(settings: Settings, host: str, port: int) -> Server:
    """The server bound to ``host:port`` (the first address ``host`` resolves to), not yet running."""
    from waitress.adjustments import Adjustments

    from grader.warmup import warm_up
    from web.app import create_app

    app = create_app(settings)
    warm_up()  # the first intake then validates as fast as the rest
    adj = Adjustments(host=host, port=port, **server_options(settings))
    return Server(
        with_access_log(app), settings.client_request_timeout, map={}, adj=adj, sockinfo=adj.listen[0]
    )


def serve(settings: Settings, host: str, port: int) -> None:
    settings.log_startup()
    from store.db import Store

    Store.from_url(settings.database_url).migrate()
    server = build_server(settings, host, port)
    signal.signal(signal.SIGTERM, stop)
    server.print_listen("serving on http://{}:{}")
    server.run()


def stop(signum: int, frame: object) -> None:
    """SIGTERM (``docker stop``): waitress then lets its threads finish what they hold, for up to 5 s."""
    raise SystemExit(0)
