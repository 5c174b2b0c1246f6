"""Tracebacks show the learner's frames and lines, never the agent's own."""

from __future__ import annotations

from tests.sandboxes.agent.agent_module import AGENT, agent_module

learner_trace = agent_module("learner_trace")


def raise_through_the_agent() -> BaseException:
    """An exception whose traceback passes through a frame in a file under the agent folder."""
    agent_code = compile("def call(f):\n    return f()\n", str(AGENT / "answers.py"), "exec")
    learner_code = compile("def learner():\n    return 1 / 0\n", "<ipython-input-7-0a1b2c>", "exec")
    space: dict[str, object] = {}
    exec(agent_code, space)
    exec(learner_code, space)
    try:
        space["call"](space["learner"])  # type: ignore[operator]
    except ZeroDivisionError as exc:
        return exc
    raise AssertionError("did not raise")


def test_the_agent_folder_is_where_this_module_lives() -> None:
    assert learner_trace.AGENT_DIR.startswith(str(AGENT)) and learner_trace.AGENT_DIR.endswith("/")


def test_agent_frames_are_dropped_and_cells_named_as_ipython_names_them() -> None:
    lines = learner_trace.learner_lines(raise_through_the_agent())
    text = "".join(lines)
    assert str(AGENT) not in text
    assert "Cell In[7]" in text and "ipython-input" not in text
    assert lines[-1] == "ZeroDivisionError: division by zero\n"


def test_an_exception_that_cannot_print_itself_gives_no_lines_not_a_crash() -> None:
    class Broken(Exception):
        @property  # type: ignore[override]
        def __traceback__(self) -> None:  # a learner's exception may lie about anything
            raise RuntimeError("no")

    assert learner_trace.learner_lines(Broken()) == []


def test_structured_entries_from_agent_files_are_dropped_even_when_coloured() -> None:
    ours = f"\x1b[0;32mFile {AGENT}/kernel.py:12\x1b[0m, in run"
    theirs = "\x1b[0;32mCell In[3], line 2\x1b[0m"
    assert learner_trace.learner_entries([ours, theirs, f"  File {AGENT}/judge.py:1"]) == [theirs]


def test_each_line_and_the_number_of_lines_are_capped() -> None:
    exc = ValueError("x" * (2 * learner_trace.TEXT_CAP))
    (line,) = learner_trace.learner_lines(exc)
    assert len(line) == learner_trace.TEXT_CAP
