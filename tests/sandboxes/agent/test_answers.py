"""The learner's side of the judge's questions, one request at a time over real pipes.

Nothing here is trusted (the judge checks every answer: tests/sandboxes/agent/test_judge.py);
these tests pin what an honest kernel answers, so honest work stays gradable.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from tests.sandboxes.agent.agent_module import AGENT

if str(AGENT) not in sys.path:
    sys.path.insert(0, str(AGENT))  # the agent's modules import each other by their own names
import answers  # noqa: E402
import frames  # noqa: E402
import values  # noqa: E402


class Judge:
    """The judge's end: writes requests, reads replies; the learner's namespace is ``ns``."""

    def __init__(self, ns: dict[str, Any]) -> None:
        self.request_read, self.request_write = os.pipe()
        self.reply_read, self.reply_write = os.pipe()
        self.answers = answers.Answers(SimpleNamespace(user_ns=ns), self.request_read, self.reply_write)
        self.replies = frames.FrameReader(self.reply_read)

    def ask(self, body: bytes = b"", **header: Any) -> tuple[dict[str, Any], bytes]:
        frames.write_frame(self.request_write, {"id": 1, **header}, body)
        self.answers.serve_one()
        return self.replies.read(time.monotonic() + 5)

    def close(self) -> None:
        for fd in (self.request_read, self.request_write, self.reply_read, self.reply_write):
            os.close(fd)


@pytest.fixture
def ns() -> dict[str, Any]:
    return {}


@pytest.fixture
def judge(ns: dict[str, Any]) -> Iterator[Judge]:
    made = Judge(ns)
    yield made
    made.close()


def test_a_plain_value_crosses_by_value(judge: Judge, ns: dict[str, Any]) -> None:
    ns["x"] = [1, "two", 3.0]
    reply, body = judge.ask(op="lookup", name="x")
    assert reply["kind"] == "value" and values.decode(body) == [1, "two", 3.0]
    assert judge.ask(op="lookup", name="nope")[0]["kind"] == "missing"


def test_a_function_is_a_handle_and_its_call_keeps_what_it_printed(judge: Judge, ns: dict[str, Any]) -> None:
    def square(x: int) -> int:
        print("computing")
        print("careful", file=sys.stderr)
        return x * x

    ns["square"] = square
    reply, _ = judge.ask(op="lookup", name="square")
    assert reply["kind"] == "function" and reply["name"] == "square"
    called, body = judge.ask(values.encode([[4], {}]), op="call", handle=reply["handle"])
    assert values.decode(body) == 16
    assert called["stdout"] == "computing\n" and called["stderr"] == "careful\n"
    assert sys.stdout is not None and not isinstance(sys.stdout, answers.Captured)


def test_a_learner_exception_is_reported_by_name_even_if_it_cannot_print_itself(
    judge: Judge, ns: dict[str, Any]
) -> None:
    class Sneaky(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    def boom() -> None:
        raise Sneaky

    ns["boom"] = boom
    handle = judge.ask(op="lookup", name="boom")[0]["handle"]
    reply, _ = judge.ask(values.encode([[], {}]), op="call", handle=handle)
    assert reply["kind"] == "raised" and reply["ename"] == "Sneaky"
    assert reply["evalue"] == "(the exception's message could not be shown)"


def test_a_generator_is_an_iterator_handle_stepped_one_item_at_a_time(
    judge: Judge, ns: dict[str, Any]
) -> None:
    ns["g"] = (n * n for n in range(3))
    handle = judge.ask(op="lookup", name="g")[0]["handle"]
    assert [values.decode(judge.ask(op="next", handle=handle)[1]) for _ in range(3)] == [0, 1, 4]
    assert judge.ask(op="next", handle=handle)[0]["ename"] == "StopIteration"


def test_an_object_is_refused_unless_the_assignment_allows_proxies(judge: Judge, ns: dict[str, Any]) -> None:
    class Point:
        x = 3

    ns["p"] = Point()
    refused = judge.ask(op="lookup", name="p")[0]
    assert refused["kind"] == "refused" and refused["type"].endswith("Point")
    proxied = judge.ask(op="lookup", name="p", proxies=True)[0]
    assert proxied["kind"] == "object"
    assert values.decode(judge.ask(op="getattr", handle=proxied["handle"], name="x")[1]) == 3


def test_a_module_is_named_not_sent(judge: Judge, ns: dict[str, Any]) -> None:
    import math

    ns["m"] = math
    assert judge.ask(op="lookup", name="m")[0] == {
        "id": 1,
        "kind": "module",
        "module": "math",
        "stdout": "",
        "stderr": "",
        "truncated": False,
    }


def test_bind_and_unbind_change_the_learners_names(judge: Judge, ns: dict[str, Any]) -> None:
    ns["f"] = len
    handle = judge.ask(op="lookup", name="f")[0]["handle"]
    judge.ask(op="bind", handle=handle, name="g")
    assert ns["g"] is len
    judge.ask(op="unbind", name="f")
    assert "f" not in ns and judge.ask(op="unbind", name="f")[0]["kind"] == "missing"


def test_output_captured_during_an_answer_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers, "OUTPUT_LIMIT", 10)
    captured = answers.Captured()
    captured.write("x" * 8)
    captured.write("y" * 8)
    assert captured.text() == "x" * 8 + "yy" and captured.truncated
    with pytest.raises(TypeError):
        captured.write(b"bytes")  # type: ignore[arg-type]
