"""A cell's outputs from kernel messages: nbformat's shapes, capped while collected."""

from __future__ import annotations

import json

import pytest

from tests.sandboxes.agent.agent_module import agent_module

outputs = agent_module("outputs")


def stream(text: str, name: str = "stdout") -> dict[str, str]:
    return {"output_type": "stream", "name": name, "text": text}


def test_consecutive_writes_to_one_stream_are_one_output() -> None:
    collected = outputs.CappedOutputs(10_000)
    for output in (stream("a"), stream("b"), stream("!", "stderr"), stream("c")):
        collected.add(output)
    assert collected.items == [stream("ab"), stream("!", "stderr"), stream("c")]
    assert not collected.truncated


def test_outputs_past_the_cap_are_dropped_and_marked() -> None:
    small = stream("x")
    collected = outputs.CappedOutputs(2 * len(json.dumps(small)))
    for _ in range(5):
        collected.add(stream("x"))
    collected.add(stream("y" * 1000, "stderr"))
    assert collected.truncated and collected.size <= collected.limit
    assert collected.items == [stream("xx")]


def test_kernel_messages_become_nbformat_outputs() -> None:
    assert outputs.to_output({"type": "stream", "name": "stdout", "text": "hi"}) == stream("hi")
    assert outputs.to_output(
        {"type": "execute_result", "data": {"text/plain": "1"}, "execution_count": 3}
    ) == {
        "output_type": "execute_result",
        "data": {"text/plain": "1"},
        "metadata": {},
        "execution_count": 3,
    }
    assert outputs.to_output({"type": "display_data", "data": {"image/png": "AA=="}, "metadata": None}) == {
        "output_type": "display_data",
        "data": {"image/png": "AA=="},
        "metadata": {},
    }
    assert outputs.to_output({"type": "error", "ename": "E", "evalue": 1, "traceback": ["a", 2]}) == {
        "output_type": "error",
        "ename": "E",
        "evalue": "1",
        "traceback": ["a", "2"],
    }


@pytest.mark.parametrize(
    "message",
    [
        {"type": "stream", "text": "no name"},
        {"type": "execute_result", "data": "not a mapping"},
        {"type": "display_data", "data": None},
        {"type": "error", "ename": "E", "evalue": "v", "traceback": 5},
        {"type": "status", "state": "idle"},
        {},
    ],
)
def test_a_malformed_or_other_message_is_no_output(message: dict[str, object]) -> None:
    assert outputs.to_output(message) is None
