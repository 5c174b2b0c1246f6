"""Answers that read the running test (frames, cell text, audit events) and answer from what it expects."""

from __future__ import annotations

import pytest

from tests.security.conftest import Grader

pytestmark = [pytest.mark.docker, pytest.mark.slow]

# ``guess(x, ints)``: the int after x among a test's integer constants (for square(12) the 144).
# ``parse(text)``: {N: M} from every ``square(N) == M`` in a text. Both fall back to x + 1 (wrong).
HELPERS = (
    "import re, sys\n"
    "def guess(x, consts):\n"
    "    ints = [c for c in consts if type(c) is int]\n"
    "    if x in ints and ints.index(x) + 1 < len(ints):\n"
    "        return ints[ints.index(x) + 1]\n"
    "def parse(text):\n"
    "    return {int(a): int(b) for a, b in re.findall(r'square\\((\\d+)\\)\\s*==\\s*(\\d+)', str(text))}\n"
)

FRAME_ATTACKS = {
    "caller_consts_through_getframe": (
        "def square(x):\n    frame = sys._getframe(1)\n    while frame is not None:\n"
        "        found = guess(x, frame.f_code.co_consts)\n        if found is not None:\n            return found\n"
        "        frame = frame.f_back\n    return x + 1"
    ),
    "caller_consts_and_source_through_inspect_stack": (
        "import inspect\ndef square(x):\n    for info in inspect.stack()[1:]:\n"
        "        found = guess(x, info.frame.f_code.co_consts)\n        if found is not None:\n            return found\n"
        "        found = parse(''.join(info.code_context or ())).get(x)\n        if found is not None:\n"
        "            return found\n    return x + 1"
    ),
    "caller_consts_through_a_caught_traceback": (
        "def square(x):\n    try:\n        raise RuntimeError\n    except RuntimeError as exc:\n"
        "        frame = exc.__traceback__.tb_frame.f_back\n    while frame is not None:\n"
        "        found = guess(x, frame.f_code.co_consts)\n        if found is not None:\n            return found\n"
        "        frame = frame.f_back\n    return x + 1"
    ),
    "caller_locals_and_globals_searched_for_the_expected_value": (
        "def square(x):\n    frame = sys._getframe(1)\n    while frame is not None:\n"
        "        for space in (frame.f_locals, frame.f_globals):\n"
        "            for value in list(space.values()):\n                if isinstance(value, str):\n"
        "                    found = parse(value).get(x)\n                    if found is not None:\n"
        "                        return found\n        frame = frame.f_back\n    return x + 1"
    ),
}

TEXT_ATTACKS = {
    "ipython_in_and_ih": (
        "def square(x):\n    try:\n        ns = get_ipython().user_ns\n"
        "        text = '\\n'.join(list(ns.get('In', [])) + list(ns.get('_ih', [])))\n"
        "    except Exception:\n        text = ''\n    return parse(text).get(x, x + 1)"
    ),
    "ipython_history_manager": (
        "def square(x):\n    try:\n        hm = get_ipython().history_manager\n"
        "        text = '\\n'.join(list(hm.input_hist_raw) + list(hm.input_hist_parsed))\n"
        "    except Exception:\n        text = ''\n    return parse(text).get(x, x + 1)"
    ),
    "linecache_cache": (
        "import linecache\ndef square(x):\n"
        "    text = '\\n'.join(''.join(entry[2]) for entry in list(linecache.cache.values()) if len(entry) > 2)\n"
        "    return parse(text).get(x, x + 1)"
    ),
    "audit_hook_on_compile_and_exec": (
        "SEEN = []\ndef hook(event, args):\n    if event in ('compile', 'exec') and args:\n"
        "        source = args[0]\n        if isinstance(source, bytes):\n"
        "            source = source.decode('utf-8', 'replace')\n"
        "        if isinstance(source, str):\n            SEEN.append(source)\n"
        "        elif hasattr(source, 'co_consts'):\n            SEEN.append(source.co_consts)\n"
        "sys.addaudithook(hook)\n"
        "def square(x):\n    for item in reversed(SEEN):\n"
        "        found = parse(item).get(x) if isinstance(item, str) else guess(x, item)\n"
        "        if found is not None:\n            return found\n    return x + 1"
    ),
    "background_thread_polls_the_sources": (
        "import threading, time, linecache\nTABLE = {}\n"
        "def poll():\n    while True:\n        texts = []\n        try:\n"
        "            ns = get_ipython().user_ns\n            texts += list(ns.get('_ih', []))\n"
        "        except Exception:\n            pass\n"
        "        texts += [''.join(e[2]) for e in list(linecache.cache.values()) if len(e) > 2]\n"
        "        for text in texts:\n            TABLE.update(parse(text))\n        time.sleep(0.001)\n"
        "threading.Thread(target=poll, daemon=True).start()\n"
        "def square(x):\n    deadline = time.monotonic() + 0.3\n"
        "    while x not in TABLE and time.monotonic() < deadline:\n        time.sleep(0.005)\n"
        "    return TABLE.get(x, x + 1)"
    ),
}


@pytest.mark.parametrize("attack", sorted(FRAME_ATTACKS))
def test_reading_the_callers_frames_finds_no_expected_value(grader: Grader, attack: str) -> None:
    outcome = grader.grade_square(f"{HELPERS}\n{FRAME_ATTACKS[attack]}")
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0}, outcome.report.to_dict()


@pytest.mark.parametrize("attack", sorted(TEXT_ATTACKS))
def test_the_test_text_is_not_visible_to_learner_code(grader: Grader, attack: str) -> None:
    outcome = grader.grade_square(f"{HELPERS}\n{TEXT_ATTACKS[attack]}")
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0}, outcome.report.to_dict()
