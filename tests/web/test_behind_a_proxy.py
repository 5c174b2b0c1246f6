"""Behind a balancer, the client address the app sees (login limits, share-link logs) is the one the
trusted proxies forwarded, never a header a client could write itself (issue 19, many hosts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import request

from grader.errors import BadInput
from service.settings import Settings
from web import create_app

FORWARDED = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"}


def seen(tmp_path: Path, proxy_hops: int) -> tuple[str, str]:
    settings = Settings(
        data_dir=str(tmp_path), admin_token="admin", redis_url="redis://127.0.0.1:1/0", proxy_hops=proxy_hops
    )
    app = create_app(settings)
    app.add_url_rule("/seen", "seen", lambda: f"{request.remote_addr} {request.scheme}")
    address, scheme = (
        app.test_client()
        .get("/seen", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"})
        .text.split()
    )
    return address, scheme


def test_without_proxies_forwarded_headers_are_ignored(tmp_path: Path) -> None:
    assert seen(tmp_path, 0) == ("10.0.0.2", "http")


def test_one_trusted_proxy_gives_the_address_it_saw(tmp_path: Path) -> None:
    """The balancer appends the address it saw; what the client wrote before it is not believed."""
    assert seen(tmp_path, 1) == ("203.0.113.9", "https")


def test_a_negative_number_of_proxies_is_refused() -> None:
    with pytest.raises(BadInput, match="AUTOGRADE_PROXY_HOPS"):
        Settings(proxy_hops=-1)
