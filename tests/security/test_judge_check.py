"""Attacks on the check itself: learner code that rewrites IPython or interpreter state so a failing test passes."""

from __future__ import annotations

import pytest

from tests.builders import make_test_cell
from tests.security.conftest import WRONG, Grader

pytestmark = [pytest.mark.docker, pytest.mark.slow]

# Extra tests some attacks aim at; every attack is graded with all of them, and with
# ``WRONG`` (square(x) == x + 1) each of them fails when judged honestly.
EXTRA_TESTS = (
    make_test_cell("np_test", "import numpy as np\nnp.testing.assert_allclose(square(3), 9)", points=1),
    make_test_cell(
        "from_import", "from numpy.testing import assert_allclose\nassert_allclose(square(3), 9)", points=1
    ),
    make_test_cell(
        "class_test",
        "class Check:\n    def run(self):\n        assert square(3) == 9\n\nCheck().run()",
        points=1,
    ),
    make_test_cell("partial", "1.0 if square(3) == 9 else 0.0", points=1),
)
ATTACKED = {
    "visible": 0.0,
    "hidden": 0.0,
    "np_test": 0.0,
    "from_import": 0.0,
    "class_test": 0.0,
    "partial": 0.0,
}

ATTACKS = {
    # --- learner code placed inside the check ---
    "liar_ast_transformer_strips_asserts": (
        "import ast\nclass Strip(ast.NodeTransformer):\n"
        "    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        "    def visit_Assert(self, node):\n        return ast.Pass()\n"
        "    def visit_Call(self, node):\n        self.generic_visit(node)\n"
        "        return ast.Constant(None) if getattr(node.func, 'attr', '') == 'assert_allclose' else node\n"
        "get_ipython().ast_transformers.insert(0, Strip())"
    ),
    "liar_input_transformer_drops_assert_lines": (
        "class Drop:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        "    def __call__(self, lines):\n"
        "        return [l for l in lines if 'square' not in l or 'def ' in l]\n"
        "ip = get_ipython()\nip.input_transformers_post.append(Drop())\n"
        "ip.input_transformers_cleanup.insert(0, Drop())"
    ),
    "run_cell_patched_on_class": (
        "import IPython.core.interactiveshell as ish\nreal = ish.InteractiveShell.run_cell\n"
        "def run_cell(self, raw_cell, *a, **k):\n"
        "    raw_cell = '\\n'.join(l for l in raw_cell.split('\\n') if 'square(' not in l or 'def ' in l)\n"
        "    return real(self, raw_cell, *a, **k)\n"
        "ish.InteractiveShell.run_cell = run_cell"
    ),
    "shell_compiler_ast_parse_strips_asserts": (
        "import ast\nip = get_ipython()\nreal = ip.compile.ast_parse\n"
        "def ast_parse(source, *a, **k):\n    tree = real(source, *a, **k)\n"
        "    tree.body = [n for n in tree.body if 'square' not in ast.dump(n) or isinstance(n, ast.FunctionDef)]\n"
        "    return tree\n"
        "ip.compile.ast_parse = ast_parse"
    ),
    "build_class_patched_disarms_test_classes": (
        "import builtins\nreal = builtins.__build_class__\n"
        "def build_class(func, name, *bases, **kw):\n    cls = real(func, name, *bases, **kw)\n"
        "    if hasattr(cls, 'run'):\n        cls.run = lambda self, *a, **k: None\n    return cls\n"
        "builtins.__build_class__ = build_class"
    ),
    "post_run_cell_event_clears_errors": (
        "ip = get_ipython()\nip._showtraceback = lambda *a, **k: None\nip.showtraceback = lambda *a, **k: None\n"
        "def clear(result):\n    result.error_in_exec = None\n    result.error_before_exec = None\n"
        "ip.events.register('post_run_cell', clear)"
    ),
    # --- IPython / interpreter state ---
    "displayhook_rewrites_partial_credit": (
        "import sys\nhook = get_ipython().displayhook\nreal = hook.write_format_data\n"
        "hook.write_format_data = lambda format_dict, md_dict=None: real({'text/plain': '1.0'}, md_dict)\n"
        "sys.displayhook = hook"
    ),
    "stdout_replaced_with_forged_results": (
        "import sys, os, json\nclass Out:\n    def write(self, text):\n"
        "        for n in range(1, 40):\n"
        "            os.write(1, (json.dumps({'type': 'done', 'id': n, 'status': 'ok'}) + '\\n').encode())\n"
        "        return len(text)\n    def flush(self):\n        pass\n"
        "sys.stdout = sys.stderr = Out()\nprint('All tests passed')"
    ),
    "meta_path_serves_fake_numpy": (
        "import sys, types, importlib.abc, importlib.machinery\n"
        "for name in [m for m in sys.modules if m == 'numpy' or m.startswith('numpy.')]:\n    del sys.modules[name]\n"
        "class Loader(importlib.abc.Loader):\n    def create_module(self, spec):\n        return None\n"
        "    def exec_module(self, module):\n        module.__path__ = []\n"
        "        module.assert_allclose = lambda *a, **k: None\n"
        "        module.testing = module\n"
        "class Finder(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'numpy' or name.startswith('numpy.'):\n"
        "            return importlib.machinery.ModuleSpec(name, Loader(), is_package=True)\n"
        "sys.meta_path.insert(0, Finder())"
    ),
    "fake_numpy_testing_in_sys_modules": (
        "import sys, types, numpy\nfake = types.ModuleType('numpy.testing')\n"
        "fake.assert_allclose = lambda *a, **k: None\nsys.modules['numpy.testing'] = fake\nnumpy.testing = fake"
    ),
    "user_builtins_dict_with_fake_import": (
        "import builtins, types\nreal_import = builtins.__import__\n"
        "fake = types.ModuleType('numpy')\nfake.assert_allclose = lambda *a, **k: None\nfake.testing = fake\n"
        "def fake_import(name, *a, **k):\n"
        "    return fake if name.startswith('numpy') else real_import(name, *a, **k)\n"
        "b = dict(vars(builtins))\nb['__import__'] = fake_import\n"
        "b['AssertionError'] = type('AssertionError', (Exception,), {})\n"
        "__builtins__ = b\nget_ipython().user_ns['__builtins__'] = b"
    ),
    "optimize_flag_set_through_ctypes": (
        "import ctypes\nctypes.c_int.in_dll(ctypes.pythonapi, 'Py_OptimizeFlag').value = 2"
    ),
    "kernel_messages_send_reports_success": (
        "ip = get_ipython()\nmessages = ip.messages\nreal = messages.send\n"
        "def send(message):\n    if isinstance(message, dict):\n"
        "        if message.get('type') == 'error' or 'traceback' in message:\n            return None\n"
        "        if message.get('status') == 'error':\n            message = dict(message, status='ok')\n"
        "    return real(message)\n"
        "messages.send = send"
    ),
    "lean_kernel_module_patched": (
        "import lean_kernel\nreal = lean_kernel.Messages.send\n"
        "def send(self, message):\n    if isinstance(message, dict):\n"
        "        if message.get('type') == 'error' or 'traceback' in message:\n            return None\n"
        "        if message.get('status') == 'error':\n            message = dict(message, status='ok')\n"
        "    return real(self, message)\n"
        "lean_kernel.Messages.send = send\nlean_kernel.LeanShell._showtraceback = lambda *a, **k: None"
    ),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_rewriting_the_check_does_not_pass_a_wrong_answer(grader: Grader, attack: str) -> None:
    source = f"{WRONG}\n\ntry:\n{_indent(ATTACKS[attack])}\nexcept Exception:\n    pass"
    outcome = grader.grade_square(source, *EXTRA_TESTS)
    assert outcome.scores == ATTACKED, outcome.report.to_dict()


def _indent(source: str) -> str:
    return "\n".join("    " + line for line in source.split("\n"))


def test_instructor_data_the_learner_replaces_is_the_instructors_when_the_assignment_asks(
    grader: Grader,
) -> None:
    """With instructor_cells = all, a learner who swaps the data a test computes from gains nothing."""
    import nbformat

    from grader.assignment import build_assignment
    from tests.builders import learner_files, make_answer_cell, make_notebook, make_test_cell, to_bytes

    nb = make_notebook(
        nbformat.v4.new_code_cell("data = list(range(1, 4))"),
        make_answer_cell("mean", "def mean(v):\n    return sum(v) / len(v)"),
        make_test_cell("t", "assert mean(data) == sum(data) / len(data)", points=1),
    )
    nb.metadata["autograde"] = {"instructor_cells": "all"}
    assignment = build_assignment({"hw.ipynb": to_bytes(nb)})
    attack = "def mean(v):\n    return 0\ndata = [0]"
    outcome = grader.grade(assignment, learner_files(assignment, {"mean": attack}))
    assert outcome.scores == {"t": 0.0}, outcome.report.to_dict()
    honest = grader.grade(
        assignment, learner_files(assignment, {"mean": "def mean(v):\n    return sum(v) / len(v)"})
    )
    assert honest.scores == {"t": 1.0}, honest.report.to_dict()
