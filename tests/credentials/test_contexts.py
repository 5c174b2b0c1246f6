"""Only the bundled JSON-LD contexts load, by exact URL; any other is refused by name and never fetched."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from credentials.contexts import BUNDLED, VC_V2, ContextNotAllowed, bundled_context, load_document
from grader.errors import RecordVerificationFailed


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a context was fetched")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize("url", sorted(BUNDLED))
def test_each_bundled_context_loads_offline(url: str) -> None:
    assert "@context" in bundled_context(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/context.json",
        VC_V2.replace("https", "http"),
        VC_V2 + "/",
        VC_V2.upper(),
        "file:///etc/passwd",
        "",
    ],
)
def test_any_other_url_even_a_near_miss_is_refused_by_name(url: str) -> None:
    with pytest.raises(ContextNotAllowed) as refused:
        bundled_context(url)
    assert repr(url) in str(refused.value) and "never fetched" in str(refused.value)
    assert isinstance(refused.value, RecordVerificationFailed)  # a verification failure, a 4xx, not a crash


def test_the_loader_hands_pyld_the_bundled_copy_as_the_remote_document() -> None:
    loaded = load_document(VC_V2, {"headers": {}})
    assert loaded["documentUrl"] == VC_V2 and loaded["contextUrl"] is None
    assert loaded["document"] == bundled_context(VC_V2)
    with pytest.raises(ContextNotAllowed):
        load_document("https://evil.example/context.json")
