"""No forgery: a wrong answer plus an attack on the grading machinery never scores.

Each attack comes with a wrong ``square``; without the protection named in the test, the
attack would turn the failing tests into passes (checked by hand when each was written).
"""

from __future__ import annotations

import pytest

from tests.security.conftest import RIGHT, WRONG, Grader

pytestmark = [pytest.mark.docker, pytest.mark.slow]

ATTACKS = {
    "custom_exc_swallows_errors": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)",
    "showtraceback_silenced": "ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\nip._showtraceback = lambda *a, **k: None",
    "excepthook_replaced": "import sys\nsys.excepthook = lambda *a: None",
    "asserts_stripped_by_ast_transformer": (
        "import ast\nclass Strip(ast.NodeTransformer):\n    def visit_Assert(self, node):\n        return ast.Pass()\n"
        "get_ipython().ast_transformers.append(Strip())"
    ),
    "cells_blanked_by_input_transformer": "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
    "run_cell_replaced": (
        "ip = get_ipython()\nreal = ip.run_cell\n"
        "ip.run_cell = lambda raw_cell, *a, **k: real('pass', *a, **k)\n"
        "async def fake(raw_cell, *a, **k):\n    return real('pass')\nip.run_cell_async = fake"
    ),
    "builtin_compile_patched": (
        "import builtins\nreal = builtins.compile\n"
        "def compile(src, *a, **k):\n    return real('pass' if 'square' in str(src) else src, *a, **k)\n"
        "builtins.compile = compile"
    ),
    "kernel_loop_rewrites_requests": (  # keep only each cell's first line: the begin event, no asserts
        "import json as _json, lean_kernel\nclass _Json:\n    def __getattr__(self, name):\n"
        "        return getattr(_json, name)\n    @staticmethod\n    def loads(line):\n"
        "        request = _json.loads(line)\n        request['code'] = request['code'].split('\\n')[0]\n"
        "        return request\nlean_kernel.json = _Json()"
    ),
    "trace_function_skips_asserts": (
        "import sys\ndef tracer(frame, event, arg):\n    return None\nsys.settrace(tracer)"
    ),
    "fake_attestation_written_to_pipe": (
        "import os, stat\nfor fd in map(int, os.listdir('/proc/self/fd')):\n"
        "    try:\n        if stat.S_ISFIFO(os.fstat(fd).st_mode):\n"
        '            os.write(fd, b\'{"body": "{}", "mac": "00"}\\n\')\n    except OSError:\n        pass'
    ),
    "fake_results_printed": 'print(\'{"id": 2, "status": "ok", "outputs": []}\')\nprint(\'All tests passed! 3/3\')',
    "grader_process_killed": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
    "grader_process_stopped": "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)",
    "reply_forged_on_agent_stdout": (
        "import os\nfor n in range(1, 200):\n    try:\n"
        "        fd = os.open(f'/proc/{os.getppid()}/fd/1', os.O_WRONLY)\n"
        '        os.write(fd, (\'{"id": %d, "status": "ok", "outputs": [], "attestation": {"verdict": "verified"}}\\n\' % n).encode())\n'
        "    except OSError:\n        break"
    ),
}


@pytest.mark.parametrize("in_process", [False, True], ids=["judged", "in-process"])
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_with_a_wrong_answer_scores_nothing(grader: Grader, attack: str, in_process: bool) -> None:
    outcome = grader.grade_square(f"{WRONG}\n\n{ATTACKS[attack]}", in_process=in_process)
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0}, outcome.report.to_dict()


@pytest.mark.parametrize(
    "attack",
    [
        "custom_exc_swallows_errors",
        "asserts_stripped_by_ast_transformer",
        "run_cell_replaced",
        "builtin_compile_patched",
        "kernel_loop_rewrites_requests",
        "fake_attestation_written_to_pipe",
    ],
)
def test_detected_tampering_is_flagged_for_review_in_process(grader: Grader, attack: str) -> None:
    """In the weaker in-process mode the kernel's audit hook still sees these and flags them."""
    outcome = grader.grade_square(f"{RIGHT}\n\n{ATTACKS[attack]}", in_process=True)
    assert outcome.report.needs_review, outcome.report.to_dict()
    assert outcome.scores["hidden"] == 0.0


def test_fake_reply_from_inside_the_test_does_not_pass(grader: Grader) -> None:
    forge = (
        "def square(x):\n"
        "    import sys\n"
        "    frame = sys._getframe()\n"
        "    while frame.f_code.co_name != 'serve':\n"
        "        frame = frame.f_back\n"
        "    request_id = frame.f_locals['request']['id']\n"
        "    get_ipython().messages.send({'type': 'done', 'id': request_id, 'status': 'ok'})\n"
        "    return x + 1"
    )
    outcome = grader.grade_square(forge)
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0}, outcome.report.to_dict()


@pytest.mark.parametrize("in_process", [False, True], ids=["judged", "in-process"])
def test_patched_test_helpers_change_nothing(grader: Grader, in_process: bool) -> None:
    """Judged, the judge's numpy is its own; in-process, the patch is detected and flagged."""
    from tests.builders import make_test_cell

    uses_numpy = make_test_cell(
        "np_test", "import numpy as np\nnp.testing.assert_allclose(square(3), 10)", points=1
    )
    attack = f"{RIGHT}\nimport numpy as np\nnp.testing.assert_allclose = lambda *a, **k: None"
    outcome = grader.grade_square(attack, uses_numpy, in_process=in_process)
    assert outcome.scores["np_test"] == 0.0
    assert outcome.report.needs_review == in_process


def test_a_learner_cannot_guard_again_after_tampering(grader: Grader) -> None:
    """The hook takes one guard request per kernel, and the agent's comes first."""
    from tests.builders import make_test_cell

    uses_numpy = make_test_cell(
        "np_test", "import numpy as np\nnp.testing.assert_allclose(square(3), 10)", points=1
    )
    attack = (
        f"{RIGHT}\nimport sys, numpy as np\nnp.testing.assert_allclose = lambda *a, **k: None\n"
        "sys.audit('autograde.guard', '0' * 32, 'numpy,numpy.testing')"
    )
    outcome = grader.grade_square(attack, uses_numpy, in_process=True)
    assert outcome.scores["np_test"] == 0.0 and outcome.report.needs_review


@pytest.mark.parametrize("in_process", [False, True], ids=["judged", "in-process"])
def test_honest_answer_still_gets_full_marks(grader: Grader, in_process: bool) -> None:
    outcome = grader.grade_square(RIGHT, in_process=in_process)
    assert outcome.scores == {"visible": 1.0, "hidden": 2.0}
    assert not outcome.report.needs_review
