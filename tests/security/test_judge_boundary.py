"""The boundary under load: giant and deep values, a dying, stalling or flooding learner, forged messages."""

from __future__ import annotations

import pytest

from tests.builders import make_test_cell
from tests.security.conftest import WRONG, Grader

pytestmark = [pytest.mark.docker, pytest.mark.slow]

INDEPENDENT = make_test_cell("independent", "assert 1 + 1 == 2", points=1)

# Values past the caps; each is wrong as well as too big, and must be refused and flagged.
GIANT_ATTACKS = {
    "list_of_30_million_ints": "BIG = [0] * 30_000_000\ndef square(x):\n    return BIG",
    "bytes_of_200_mb": "BIG = b'\\0' * 200_000_000\ndef square(x):\n    return BIG",
    "str_of_100_mb": "BIG = 'x' * 100_000_000\ndef square(x):\n    return BIG",
    "list_nested_100000_deep": (
        "DEEP = []\nfor _ in range(100_000):\n    DEEP = [DEEP]\ndef square(x):\n    return DEEP"
    ),
    "dict_nested_100000_deep": (
        "DEEP = {}\nfor _ in range(100_000):\n    DEEP = {0: DEEP}\ndef square(x):\n    return DEEP"
    ),
    "dict_of_3_million_keys": "BIG = dict.fromkeys(range(3_000_000), 0)\ndef square(x):\n    return BIG",
    "int_of_a_million_digits": "import sys\nsys.set_int_max_str_digits(0)\ndef square(x):\n    return 10 ** 1_000_000",
}

# The learner's process dies in the call: only its own grade is lost.
DYING_ATTACKS = {
    "os_exit_in_call": "import os\ndef square(x):\n    os._exit(0)",
    "sigkill_self_in_call": "import os\ndef square(x):\n    os.kill(os.getpid(), 9)",
    "abort_in_call": "import os\ndef square(x):\n    os.abort()",
}

# Stalls and floods; the stalls stall only square(3) so each costs one cell's timeout.
STALLING_ATTACKS = {
    "busy_loop_in_call": "def square(x):\n    while x == 3:\n        pass\n    return x + 1",
    "long_sleep_in_call": "import time\ndef square(x):\n    if x == 3:\n        time.sleep(10**6)\n    return x + 1",
    "sigint_ignored_in_call": (
        "import time\ndef square(x):\n    while x == 3:\n        try:\n            time.sleep(10**6)\n"
        "        except BaseException:\n            pass\n    return x + 1"
    ),
    "sigint_handler_ignored_in_call": (
        "import signal, time\ndef square(x):\n    if x == 3:\n"
        "        signal.signal(signal.SIGINT, signal.SIG_IGN)\n        signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "        while True:\n            time.sleep(1)\n    return x + 1"
    ),
    "prints_50_mb_in_call": "import sys\ndef square(x):\n    sys.stdout.write('x' * 50_000_000)\n    return x + 1",
    "prints_50_mb_to_stderr_and_fd_1_in_call": (
        "import os, sys\ndef square(x):\n    sys.stderr.write('e' * 10_000_000)\n"
        "    for _ in range(40):\n        try:\n            os.write(1, b'o' * 1_000_000)\n"
        "        except OSError:\n            break\n    return x + 1"
    ),
}

# Finds every pipe it can write: its own (/proc/self/fd) and its parent's (/proc/<ppid>/fd).
PIPES = (
    "import os, stat, fcntl, json, struct, time, threading\n"
    "def pipes():\n    fds = []\n    for name in os.listdir('/proc/self/fd'):\n        try:\n"
    "            fd = int(name)\n            mode = os.fstat(fd).st_mode\n"
    "            access = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE\n"
    "            if (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)) and access in (os.O_WRONLY, os.O_RDWR):\n"
    "                fds.append(fd)\n        except (OSError, ValueError):\n            pass\n"
    "    try:\n        parent = '/proc/%d/fd' % os.getppid()\n        for name in os.listdir(parent):\n"
    "            try:\n                if stat.S_ISFIFO(os.stat(parent + '/' + name).st_mode):\n"
    "                    fds.append(os.open(parent + '/' + name, os.O_WRONLY | os.O_NONBLOCK))\n"
    "            except OSError:\n                pass\n    except OSError:\n        pass\n    return fds\n"
    "def send(fd, data, limit=2.0):\n    os.set_blocking(fd, False)\n    view, end = memoryview(data), time.monotonic() + limit\n"
    "    while view and time.monotonic() < end:\n        try:\n            view = view[os.write(fd, view):]\n"
    "        except BlockingIOError:\n            time.sleep(0.001)\n        except OSError:\n            return\n"
    "def frame(header, body=b''):\n    head = json.dumps(header).encode()\n"
    "    return struct.pack('>I', len(head)) + head + struct.pack('>I', len(body)) + body\n"
    "def forged():\n    out = [b'garbage \\xff\\xfe{not json\\n', b'{]\\n', b'\\0' * 64, b'\\xff\\xff\\xff\\xff']\n"
    "    for n in range(64):\n        for message in ({'type': 'value', 'id': n, 'kind': 'int', 'value': 9},\n"
    "                        {'type': 'done', 'id': n, 'status': 'ok'}, {'type': 'done', 'status': 'ok'},\n"
    "                        {'id': n, 'status': 'ok', 'outputs': [], 'attestation': {'verdict': 'verified'}}):\n"
    "            out.append(json.dumps(message).encode() + b'\\n')\n"
    "            out.append(frame(message, b'9'))\n"
    "        out.append(frame({'kind': 'value', 'id': n, 'type': 'int'}, b'9'))\n"
    "        out.append(frame({'kind': 'value', 'id': n}, b'{\"int\": \"9\"}'))\n"
    "    return b''.join(out)\n"
    'def huge_line():\n    return b\'{"type":"value","value":"\' + b\'x\' * (8 << 20)\n'
)

MESSAGE_ATTACKS = {
    "forged_messages_to_every_pipe_in_call": (
        PIPES
        + "def square(x):\n    data = forged()\n    for fd in pipes():\n        send(fd, data)\n    return x + 1"
    ),
    "huge_line_without_newline_to_every_pipe_in_call": (
        PIPES
        + "def square(x):\n    for fd in pipes():\n        send(fd, huge_line(), limit=1.0)\n    return x + 1"
    ),
    "forged_then_garbage_then_forged_in_call": (
        PIPES + "def square(x):\n    data = forged()\n    for fd in pipes():\n"
        "        send(fd, data + b'\\xff' * 4096 + data)\n    return x + 1"
    ),
    "endless_writes_to_every_pipe_in_call": (
        PIPES + "def square(x):\n    fds, chunk = pipes(), b'\\x7f' * 65536\n    while x == 3:\n"
        "        for fd in fds:\n            send(fd, chunk, limit=0.01)\n    return x + 1"
    ),
    "thread_forges_messages_continuously": (
        PIPES + "def forge_forever():\n    data = forged()\n    while True:\n        for fd in pipes():\n"
        "            send(fd, data, limit=0.05)\n            try:\n                if fd > 2:\n"
        "                    pass\n            except OSError:\n                pass\n        time.sleep(0.01)\n"
        "threading.Thread(target=forge_forever, daemon=True).start()\n"
        "def square(x):\n    return x + 1"
    ),
}


@pytest.mark.parametrize("attack", sorted(GIANT_ATTACKS))
def test_a_giant_or_deep_value_is_refused_flagged_and_the_rest_still_graded(
    grader: Grader, attack: str
) -> None:
    outcome = grader.grade_square(f"{WRONG}\n\n{GIANT_ATTACKS[attack]}", INDEPENDENT)
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0, "independent": 1.0}, outcome.report.to_dict()
    assert outcome.report.needs_review, outcome.report.to_dict()


@pytest.mark.parametrize("attack", sorted(DYING_ATTACKS))
def test_a_learner_process_dying_in_the_call_loses_only_its_own_grade(grader: Grader, attack: str) -> None:
    outcome = grader.grade_square(f"{WRONG}\n\n{DYING_ATTACKS[attack]}", INDEPENDENT)
    assert outcome.scores["visible"] == 0.0 and outcome.scores["hidden"] == 0.0, outcome.report.to_dict()
    assert outcome.scores["independent"] in (0.0, 1.0), outcome.report.to_dict()


@pytest.mark.parametrize("attack", sorted(STALLING_ATTACKS))
def test_a_stalling_or_flooding_learner_loses_only_its_own_grade(grader: Grader, attack: str) -> None:
    outcome = grader.grade_square(f"{WRONG}\n\n{STALLING_ATTACKS[attack]}", INDEPENDENT)
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0, "independent": 1.0}, outcome.report.to_dict()


# Floods that never stop also garble the learner's own kernel's replies to the agent, so its
# kernel is restarted (and the flood with it, by the replay) until the notebook's time runs
# out: the later, independent cell may be lost too. That is the learner's own grade.
ENDLESS = ("endless_writes_to_every_pipe_in_call", "thread_forges_messages_continuously")


@pytest.mark.parametrize("attack", sorted(set(MESSAGE_ATTACKS) - set(ENDLESS)))
def test_forged_and_malformed_messages_pass_nothing_and_the_rest_is_still_graded(
    grader: Grader, attack: str
) -> None:
    outcome = grader.grade_square(f"{WRONG}\n\n{MESSAGE_ATTACKS[attack]}", INDEPENDENT)
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0, "independent": 1.0}, outcome.report.to_dict()


@pytest.mark.parametrize("attack", ENDLESS)
def test_endless_forged_messages_pass_nothing_and_are_flagged(grader: Grader, attack: str) -> None:
    """Nothing passes, and the report says why: flagged where the agent read a forged frame.

    Which comes first is a race: on a loaded machine the flooding kernel can be interrupted
    and killed before the agent reads any forged frame. Then nothing forged reached a
    verdict, and the report records the lost kernel instead of a forgery (seen in CI).
    """
    outcome = grader.grade_square(f"{WRONG}\n\n{MESSAGE_ATTACKS[attack]}", INDEPENDENT)
    report = outcome.report
    assert outcome.scores["visible"] == 0.0 and outcome.scores["hidden"] == 0.0, report.to_dict()
    killed = any("that cell was skipped and the cells before it were restored" in e for e in report.events)
    assert report.needs_review or killed, report.to_dict()
