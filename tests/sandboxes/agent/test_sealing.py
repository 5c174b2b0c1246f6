"""A test's text travels sealed: readable with the hello's key, and to nobody watching the pipe."""

from __future__ import annotations

import base64

from tests.sandboxes.agent.agent_module import agent_module

sealing = agent_module("sealing")
KEY = b"k" * 32
TEXT = "### BEGIN HIDDEN TESTS\nassert f(12345) == 'secret ✓'\n### END HIDDEN TESTS"


def test_what_is_sealed_opens_with_the_same_key() -> None:
    assert sealing.open_sealed(KEY, sealing.seal(KEY, TEXT)) == TEXT
    assert sealing.open_sealed(KEY, sealing.seal(KEY, "")) == ""


def test_the_sealed_text_shows_nothing_of_the_test() -> None:
    sealed = sealing.seal(KEY, TEXT)
    raw = base64.b64decode(sealed)
    assert len(raw) == sealing.NONCE + len(TEXT.encode())
    assert b"12345" not in raw and b"secret" not in raw and b"HIDDEN" not in raw


def test_sealing_twice_gives_different_bytes_so_equal_tests_cannot_be_told_apart() -> None:
    assert sealing.seal(KEY, TEXT) != sealing.seal(KEY, TEXT)


def test_another_key_does_not_open_it() -> None:
    sealed = sealing.seal(KEY, "assert square(4) == 16")
    try:
        opened = sealing.open_sealed(b"x" * 32, sealed)
    except UnicodeDecodeError:
        return
    assert opened != "assert square(4) == 16"
