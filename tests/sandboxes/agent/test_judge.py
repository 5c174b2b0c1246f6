"""The judge decides tests from values it rebuilt itself; nothing of the learner's runs in it.

A real judge process with the real learner side (``answers.py``) or a hostile one that
writes raw frames. Each attack is built so that a pass would show it worked.
"""

from __future__ import annotations

import json
import os
import pickle
import struct
import time
from collections import namedtuple
from collections.abc import Iterator
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from tests.sandboxes.agent.judge_harness import JudgeProcess, frames, hostile, judge_process, serving


@pytest.fixture
def judge() -> Iterator[JudgeProcess]:
    with judge_process() as process:
        yield process


def square(x: Any) -> Any:
    return x * x


def wrong_square(x: Any) -> Any:
    return x + 1


class LyingInt(int):
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = int.__hash__


class Liar:
    def __eq__(self, other: object) -> bool:
        return True

    def __bool__(self) -> bool:
        return True


def verdict(judge: JudgeProcess, code: str, namespace: dict[str, Any]) -> dict[str, Any]:
    with serving(judge, namespace):
        return judge.test(code)


def test_an_honest_answer_passes_and_a_wrong_one_fails(judge: JudgeProcess) -> None:
    assert verdict(judge, "assert square(3) == 9", {"square": square})["status"] == "ok"
    failed = verdict(judge, "assert square(3) == 9, 'square(3) should be 9'", {"square": wrong_square})
    assert failed["status"] == "error"
    assert failed["outputs"][-1]["ename"] == "AssertionError"
    assert failed["outputs"][-1]["evalue"] == "square(3) should be 9"


def test_numpy_and_pandas_answers_cross_by_value(judge: JudgeProcess) -> None:
    namespace = {
        "arr": np.arange(5.0),
        "mean": np.float64(2.0),
        "frame": pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}),
        "scale": lambda a: a * 2,
    }
    code = (
        "import numpy as np, pandas as pd\n"
        "np.testing.assert_allclose(scale(arr), np.arange(5.0) * 2)\n"
        "assert type(mean) is np.float64 and mean == 2.0\n"
        "pd.testing.assert_frame_equal(frame, pd.DataFrame({'a': [1, 2], 'b': ['x', 'y']}))"
    )
    assert verdict(judge, code, namespace)["status"] == "ok"


@pytest.mark.parametrize(
    "lie",
    [
        LyingInt(4),
        Liar(),
        mock.ANY,
        mock.MagicMock(),
        np.array([Liar()], dtype=object),
        namedtuple("P", "x")(9),
    ],
    ids=["int-subclass", "liar", "mock-any", "magic-mock", "object-array", "namedtuple"],
)
def test_a_value_that_could_lie_is_refused_and_named(judge: JudgeProcess, lie: Any) -> None:
    reply = verdict(judge, "assert square(3) == 9", {"square": lambda x: lie})
    assert reply["status"] == "refused", reply
    assert "the result of" in reply["detail"]


def test_a_refusal_the_test_swallows_still_fails_closed(judge: JudgeProcess) -> None:
    code = "try:\n    assert square(3) == 9\nexcept BaseException:\n    pass"
    reply = verdict(judge, code, {"square": lambda x: Liar()})
    assert reply["status"] == "refused", reply


def test_a_callable_handed_back_is_refused(judge: JudgeProcess) -> None:
    reply = verdict(judge, "assert make()(3) == 9", {"make": lambda: square})
    assert reply["status"] == "refused"


def test_builtins_are_the_judges_own_never_the_learners(judge: JudgeProcess) -> None:
    """A learner's ``isinstance`` that always says True does not decide a test."""
    namespace = {"answer": "nine", "isinstance": lambda *a: True, "len": lambda *a: 3}
    assert verdict(judge, "assert isinstance(answer, int)", namespace)["status"] == "error"
    assert verdict(judge, "assert len([1]) == 1", namespace)["status"] == "ok"


def test_instructor_definitions_outrank_the_learners_names(judge: JudgeProcess) -> None:
    with serving(judge, {"expected": 4, "helper": lambda v: 4, "square": wrong_square}):
        judge.define("expected = 9\ndef helper(v):\n    return v * v")
        assert judge.test("assert square(3) == expected")["status"] == "error"
        assert judge.test("assert square(3) == helper(3)")["status"] == "error"


def test_a_learner_module_name_gets_the_judges_own_import(judge: JudgeProcess) -> None:
    import types

    fake = types.ModuleType("math")
    fake.sqrt = lambda x: 3  # type: ignore[attr-defined]
    assert verdict(judge, "assert m.sqrt(16) == 4", {"m": fake})["status"] == "ok"
    assert verdict(judge, "assert m.sqrt(16) == 3", {"m": fake})["status"] == "error"


def test_a_learner_exception_keeps_its_builtin_class_and_traceback(judge: JudgeProcess) -> None:
    def bad(x: Any) -> Any:
        raise ValueError("negative input")

    code = "try:\n    bad(-1)\nexcept ValueError as e:\n    assert 'negative' in str(e)\nelse:\n    raise AssertionError"
    assert verdict(judge, code, {"bad": bad})["status"] == "ok"
    failed = verdict(judge, "bad(1)", {"bad": bad})
    assert failed["outputs"][-1]["ename"] == "ValueError"
    assert any("raise ValueError" in line for line in failed["outputs"][-1]["traceback"])


def test_learner_generators_are_iterated_across_the_boundary(judge: JudgeProcess) -> None:
    def gen(n: int) -> Iterator[int]:
        yield from (i * i for i in range(n))

    assert verdict(judge, "assert list(gen(3)) == [0, 1, 4]", {"gen": gen})["status"] == "ok"


def test_output_written_by_learner_code_during_a_test_is_kept_and_stderr_fails(judge: JudgeProcess) -> None:
    import sys

    def noisy(x: Any) -> Any:
        print("computing")
        sys.stderr.write("warning!\n")
        return x * x

    reply = verdict(judge, "assert noisy(3) == 9", {"noisy": noisy})
    streams = {o["name"]: o["text"] for o in reply["outputs"] if o["output_type"] == "stream"}
    assert streams == {"stdout": "computing\n", "stderr": "warning!\n"}


def test_the_last_expression_is_the_result_for_partial_credit(judge: JudgeProcess) -> None:
    reply = verdict(judge, "points = 0\nif square(2) == 4:\n    points += 1.5\npoints", {"square": square})
    assert reply["outputs"] == [
        {
            "output_type": "execute_result",
            "data": {"text/plain": "1.5"},
            "metadata": {},
            "execution_count": None,
        }
    ]


def test_ipython_syntax_in_a_test_is_refused_for_a_person(judge: JudgeProcess) -> None:
    reply = verdict(judge, "%timeit square(2)", {"square": square})
    assert reply["status"] == "refused" and "in-process" in reply["detail"]


def test_proxied_objects_answer_attributes_but_never_compare() -> None:
    class Point:
        def __init__(self) -> None:
            self.x = 1

        def norm(self) -> float:
            return 2.0

    with judge_process(proxies=True) as judge, serving(judge, {"p": Point()}):
        assert judge.test("assert p.x == 1 and p.norm() == 2.0")["status"] == "ok"
        assert judge.test("assert p == p")["status"] == "refused"


# The learner side lying about the protocol itself.


def raw(fd: int, data: bytes) -> None:
    os.write(fd, data)


def reply_with(header: dict[str, Any], body: bytes = b"") -> Any:
    def answer(request: dict[str, Any], fd: int) -> None:
        frames.write_frame(fd, {"id": request["id"], **header}, body)

    return answer


@pytest.mark.parametrize(
    "answer",
    [
        lambda request, fd: raw(fd, b"\xff\xff\xff\xff garbage"),
        lambda request, fd: raw(fd, struct.pack(">I", 5) + b"nope!" + struct.pack(">I", 0)),
        lambda request, fd: raw(fd, struct.pack(">I", 2) + b"[]" + struct.pack(">I", 0)),
        lambda request, fd: frames.write_frame(fd, {"id": request["id"] + 7, "kind": "value"}),
        reply_with({"kind": "value"}, b'["int", 9]'),
        reply_with({"kind": "value"}, b'["pickle", "gASVAAAA"]'),
        reply_with({"kind": "value"}, pickle.dumps(9)),
        reply_with({"kind": "value"}, json.dumps(["list"] * 1 + [[["list", []]] * 1]).encode() * 2),
        reply_with({"kind": "teleport"}),
        reply_with({"kind": "function", "handle": "1; import os"}),
        reply_with({"kind": "module", "module": "os; print(1)"}),
    ],
    ids=[
        "oversized-length",
        "header-not-json",
        "header-not-object",
        "answer-out-of-turn",
        "int-as-json-number",
        "unknown-tag",
        "a-real-pickle-of-the-right-answer",
        "trailing-garbage",
        "unknown-kind",
        "handle-not-int",
        "module-name-injection",
    ],
)
def test_a_learner_that_breaks_the_protocol_fails_closed(judge: JudgeProcess, answer: Any) -> None:
    with hostile(judge, answer):
        reply = judge.test("assert square(3) == 9")
    assert reply["status"] == "refused", reply


def test_after_a_framing_break_nothing_more_is_believed(judge: JudgeProcess) -> None:
    replies: list[Any] = []

    def answer(request: dict[str, Any], fd: int) -> None:
        if not replies:
            replies.append(1)
            raw(fd, struct.pack(">I", 3) + b"{}")  # a frame cut short, then an honest-looking one
        frames.write_frame(fd, {"id": request["id"], "kind": "value"}, b'["int", "9"]')

    with hostile(judge, answer):  # the cut frame waits out the test's time: 1 s, not the default 5
        first = judge.test("assert square(3) == 9", timeout=1.0)
        second = judge.test("assert 9 == 9 and square(3) == 9")
    assert first["status"] == "refused" and second["status"] == "refused", (first, second)


def test_a_learner_that_never_answers_times_out_without_a_pass(judge: JudgeProcess) -> None:
    with hostile(judge, lambda request, fd: None):
        started = time.monotonic()
        reply = judge.test("assert square(3) == 9", timeout=1.0)
    assert reply["status"] == "timeout" and reply["learner_stalled"]
    assert time.monotonic() - started < 5


def test_a_learner_that_floods_a_body_past_the_cap_is_refused(judge: JudgeProcess) -> None:
    def answer(request: dict[str, Any], fd: int) -> None:
        head = json.dumps({"id": request["id"], "kind": "value"}).encode()
        raw(fd, struct.pack(">I", len(head)) + head + struct.pack(">I", 200 * 1024 * 1024))

    with hostile(judge, answer):
        reply = judge.test("assert square(3) == 9")
    assert reply["status"] == "refused" and "cap" in reply["detail"]


def test_a_test_may_rearrange_the_learners_names_as_nbgraders_own_course_does(judge: JudgeProcess) -> None:
    """nbgrader's documentation course checks that one function uses another by deleting it."""
    namespace: dict[str, Any] = {}
    exec(
        "def squares(n):\n    return [i * i for i in range(1, n + 1)]\n"
        "def sum_of_squares(n):\n    return sum(squares(n))\n",
        namespace,
    )
    code = (
        "orig_squares = squares\ndel squares\ntry:\n    sum_of_squares(1)\nexcept NameError:\n    pass\n"
        "else:\n    raise AssertionError('sum_of_squares does not use squares')\nfinally:\n    squares = orig_squares"
    )
    with serving(judge, namespace):
        assert judge.test(code)["status"] == "ok"
        assert judge.test("assert sum_of_squares(2) == 5")["status"] == "ok"
    assert namespace["squares"](2) == [1, 4], "the learner's name was put back"


def test_a_learner_function_passed_to_another_goes_as_itself(judge: JudgeProcess) -> None:
    import inspect

    def arity(f: Any) -> int:
        return len(inspect.signature(f).parameters)

    namespace = {"arity": arity, "square": square}
    assert verdict(judge, "assert arity(square) == 1 and arity(f=square) == 1", namespace)["status"] == "ok"


def test_a_learner_name_can_make_the_judge_import_only_libraries_tests_compute_with(
    judge: JudgeProcess,
) -> None:
    import types

    assert verdict(judge, "assert m.sqrt(4) == 2", {"m": types.ModuleType("math")})["status"] == "ok"
    for name in ("antigravity", "this", "webbrowser", "os.path.evil"):
        reply = verdict(judge, "assert m is not None", {"m": types.ModuleType(name)})
        assert reply["status"] == "refused" and name in reply["detail"], reply
