"""``autograde serve``'s own parts: the access log it writes and the bounds it takes from the settings."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from autograde.server import server_options, with_access_log
from grader.errors import BadInput
from service.settings import Settings


def teapot(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("418 I'm a teapot", [("Content-Type", "text/plain")])
    return [b"short and stout"]


def test_each_request_is_logged_with_its_status_but_without_its_query(
    caplog: pytest.LogCaptureFixture,
) -> None:
    environ = {
        "REMOTE_ADDR": "10.1.2.3",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/healthz",
        "QUERY_STRING": "t=secret",
    }
    with caplog.at_level(logging.INFO, logger="autograde.access"):
        body = with_access_log(teapot)(environ, lambda *args: None)
    assert list(body) == [b"short and stout"]
    [line] = [r.getMessage() for r in caplog.records if r.name == "autograde.access"]
    assert line.startswith("10.1.2.3 GET /healthz 418 ")
    assert "secret" not in line


def test_the_client_bounds_come_from_the_settings() -> None:
    settings = Settings(
        client_idle_timeout=7,
        client_request_timeout=9,
        web_threads=3,
        web_connection_limit=50,
        max_upload_bytes=1000,
    )
    options = server_options(settings)
    assert (options["channel_timeout"], options["threads"], options["connection_limit"]) == (7, 3, 50)
    assert options["max_request_body_size"] > 1000  # the app answers an over-limit upload itself, in JSON


@pytest.mark.parametrize(
    "name", ["web_threads", "web_connection_limit", "client_idle_timeout", "client_request_timeout"]
)
def test_a_bound_of_zero_is_refused_at_start_up(name: str) -> None:
    with pytest.raises(BadInput, match=name.upper()):
        Settings(**{name: 0})
