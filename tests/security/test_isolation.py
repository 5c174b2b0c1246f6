"""Isolation: nothing secret is readable from inside a sandbox."""

from __future__ import annotations

import html
import re

import pytest

from grader.assignment import build_assignment
from tests.builders import learner_files, make_answer_cell, make_notebook, make_test_cell, to_bytes
from tests.security.conftest import HIDDEN_LITERAL, RIGHT, Grader

pytestmark = [pytest.mark.docker, pytest.mark.slow]
SOLUTION_MARK = "SOLUTION_ONLY_7741"
OUTPUT_BLOCK = re.compile(r"<pre class='out'>(.*?)</pre>", re.S)


def probe(grader: Grader, code: str) -> str:
    """Grade a notebook whose answer cell is ``code`` (it runs before the hidden test) and
    return the feedback text, which shows what the answer cell printed."""
    nb = make_notebook(
        make_answer_cell("probe", f"x = '{SOLUTION_MARK}'"),
        make_test_cell("hidden", f"### BEGIN HIDDEN TESTS\nassert '{HIDDEN_LITERAL}'\n### END HIDDEN TESTS", 1),
    )
    assignment = build_assignment({"hw.ipynb": to_bytes(nb)})
    outcome = grader.grade(assignment, learner_files(assignment, {"probe": code}))
    return "\n".join(html.unescape(block) for block in OUTPUT_BLOCK.findall(outcome.feedback))


def test_no_network_interfaces_but_loopback(grader: Grader) -> None:
    out = probe(grader, "import socket\nprint(sorted(n for _, n in socket.if_nameindex()))")
    assert "['lo']" in out


def test_runs_as_an_unprivileged_user_with_no_capabilities(grader: Grader) -> None:
    out = probe(grader, "import os\nprint(os.getuid(), os.geteuid())\nprint(open('/proc/self/status').read())")
    assert "1000 1000" in out
    cap_eff = next(line for line in out.splitlines() if line.startswith("CapEff"))
    assert cap_eff.split()[1].strip("0") == ""


def test_no_docker_socket_no_secrets_in_environment(grader: Grader) -> None:
    out = probe(grader, "import os\nprint(os.path.exists('/var/run/docker.sock'), os.path.exists('/run/docker.sock'))\nprint(dict(os.environ))")
    assert "False False" in out
    for word in ("TOKEN", "SECRET", "PASSWORD", "DATABASE", "REDIS", "ATTEST_FDS"):
        assert word not in out


def test_solutions_and_hidden_tests_are_nowhere_on_disk(grader: Grader) -> None:
    out = probe(
        grader,
        "import os\nhits = []\n"
        "for root, dirs, files in os.walk('/'):\n"
        "    if root.startswith(('/proc', '/sys', '/dev')):\n        dirs[:] = []\n        continue\n"
        "    for f in files:\n        p = os.path.join(root, f)\n        try:\n"
        f"            data = open(p, 'rb').read(4_000_000)\n        except OSError:\n            continue\n"
        f"        if bytes.fromhex('{HIDDEN_LITERAL.encode().hex()}') in data or bytes.fromhex('{SOLUTION_MARK.encode().hex()}') in data:\n"
        "            hits.append(p)\n"
        "print('HITS', hits)",
    )
    assert "HITS []" in out


def test_the_agent_cannot_be_read_or_traced(grader: Grader) -> None:
    out = probe(
        grader,
        "import os\nppid = os.getppid()\nfor path in (f'/proc/{ppid}/environ', f'/proc/{ppid}/mem', f'/proc/{ppid}/fd/0'):\n"
        "    try:\n        open(path, 'rb').read(1)\n        print('READ', path)\n    except Exception:\n        print('DENIED', path)",
    )
    assert "READ" not in out and out.count("DENIED") == 3


def test_nothing_carries_over_between_learners(grader: Grader) -> None:
    first = grader.grade_square(f"{RIGHT}\nopen('/home/learner/left_by_a', 'w').write('a')\nopen('/tmp/left_by_a', 'w').write('a')")
    assert first.scores["visible"] == 1.0
    out = probe(grader, "import os\nprint(os.path.exists('/home/learner/left_by_a'), os.path.exists('/tmp/left_by_a'))")
    assert "False False" in out


def test_written_files_cannot_be_executed(grader: Grader) -> None:
    out = probe(
        grader,
        "import os, shutil, subprocess\nshutil.copy('/bin/true', '/tmp/t')\nos.chmod('/tmp/t', 0o755)\n"
        "try:\n    subprocess.run(['/tmp/t'])\n    print('EXECUTED')\nexcept OSError as e:\n    print('NOEXEC', e.errno)",
    )
    assert "NOEXEC" in out and "EXECUTED" not in out


def test_learner_answers_are_matched_without_secrets(grader: Grader) -> None:
    assignment = build_assignment({"hw.ipynb": to_bytes(make_notebook(make_answer_cell("a", "y = 1"), make_test_cell("t", "assert y == 1")))})
    outcome = grader.grade(assignment, learner_files(assignment, {"a": "y = 1"}))
    assert outcome.scores == {"t": 1.0}


def test_the_agent_cannot_be_signalled(grader: Grader) -> None:
    out = probe(
        grader,
        "import os, signal\nfor sig in (signal.SIGKILL, signal.SIGSTOP, signal.SIGTERM):\n"
        "    try:\n        os.kill(os.getppid(), sig)\n        print('SIGNALLED', sig)\n    except PermissionError:\n"
        "        print('REFUSED')",
    )
    assert "SIGNALLED" not in out and out.count("REFUSED") == 3
