"""The agent's handle on a judge: a real judge process started on the host through it (as this
user: the uid switch only happens when the agent runs as root, inside the sandbox)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.sandboxes.agent.agent_module import AGENT

if str(AGENT) not in sys.path:
    sys.path.insert(0, str(AGENT))  # the agent's modules import each other by their own names
import frames  # noqa: E402
import judge_link  # noqa: E402

SOON = 30.0  # seconds: a deadline only a broken judge reaches


@pytest.fixture(autouse=True)
def as_this_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """Uid 1001 may not run this checkout's interpreter; the switch itself is checked below."""
    monkeypatch.setattr(judge_link, "_as_judge", dict)


@pytest.fixture
def started() -> Iterator[tuple[Any, tuple[int, int], tuple[int, int]]]:
    kernel_ends, judge_ends = judge_link.pipes_for_judge()
    link = judge_link.JudgeLink()
    link.start(*judge_ends)
    yield link, kernel_ends, judge_ends
    link.stop()
    for fd in kernel_ends:
        os.close(fd)


def test_a_started_judge_answers_requests_by_id(started: tuple[Any, Any, Any]) -> None:
    link, _, _ = started
    assert link.is_alive()
    stray = link.send({"op": "configure", "proxies": False}, time.monotonic() + SOON)
    reply = link.request({"op": "frobnicate"}, time.monotonic() + SOON)  # the earlier reply is passed over
    assert reply == {"id": stray + 1, "status": "bad_request"}
    assert (
        link.request({"op": "test", "code": "assert 1 + 1 == 2"}, time.monotonic() + SOON)["status"] == "ok"
    )


def test_the_judges_ends_of_its_pipes_are_closed_in_the_agent(started: tuple[Any, Any, Any]) -> None:
    _, _, judge_ends = started
    for fd in judge_ends:
        with pytest.raises(OSError):
            os.fstat(fd)  # only the judge holds them now


def test_a_stopped_judge_is_gone_with_its_channel(started: tuple[Any, Any, Any]) -> None:
    link, _, _ = started
    process = link.process
    link.stop()
    assert not link.is_alive() and link.control is None and process.poll() is not None
    link.interrupt()  # a stopped judge is not signalled, and nothing raises


def test_a_judge_that_never_says_ready_fails_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(judge_link, "LAUNCH", "import sys; sys.exit(3)")
    _, judge_ends = judge_link.pipes_for_judge()
    link = judge_link.JudgeLink()
    try:
        with pytest.raises((judge_link.JudgeFailed, frames.Broken)):
            link.start(*judge_ends)
    finally:
        link.stop()


def test_the_judge_runs_as_its_own_uid_only_when_the_agent_is_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    as_judge = judge_link._as_judge
    monkeypatch.setattr(os, "getuid", lambda: 0)
    assert as_judge() == {"user": 1001, "group": 1001, "extra_groups": []}
    monkeypatch.setattr(os, "getuid", lambda: 1000)
    assert as_judge() == {}


def test_a_judge_that_answers_anything_but_ready_fails_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    speaks_first = (
        f"import os, sys, time; sys.path.insert(0, {str(AGENT)!r}); import frames; "
        "frames.write_frame(int(os.environ['AUTOGRADE_JUDGE_FDS'].split(',')[0]), {'op': 'hello'}); time.sleep(60)"
    )
    monkeypatch.setattr(judge_link, "LAUNCH", speaks_first)
    _, judge_ends = judge_link.pipes_for_judge()
    link = judge_link.JudgeLink()
    try:
        with pytest.raises(judge_link.JudgeFailed, match="did not start"):
            link.start(*judge_ends)
    finally:
        link.stop()
