"""Isolation: nothing secret is readable from inside a sandbox."""

from __future__ import annotations

import html
import re

import pytest

from grader.assignment import build_assignment
from tests.builders import learner_files, make_answer_cell, make_notebook, make_test_cell, to_bytes
from tests.security.conftest import HIDDEN_LITERAL, WRONG, Grader

pytestmark = [pytest.mark.docker, pytest.mark.slow]
SOLUTION_MARK = "SOLUTION_ONLY_7741"
OUTPUT_BLOCK = re.compile(r"<pre class='out'>(.*?)</pre>", re.S)


def probe(grader: Grader, code: str) -> str:
    """Grade a notebook whose answer cell is ``code`` (it runs before the hidden test) and
    return the feedback text, which shows what the answer cell printed."""
    nb = make_notebook(
        make_answer_cell("probe", f"x = '{SOLUTION_MARK}'"),
        make_test_cell(
            "hidden", f"### BEGIN HIDDEN TESTS\nassert '{HIDDEN_LITERAL}'\n### END HIDDEN TESTS", 1
        ),
    )
    assignment = build_assignment({"hw.ipynb": to_bytes(nb)})
    outcome = grader.grade(assignment, learner_files(assignment, {"probe": code}))
    return "\n".join(html.unescape(block) for block in OUTPUT_BLOCK.findall(outcome.feedback))


def test_no_network_interfaces_but_loopback(grader: Grader) -> None:
    out = probe(grader, "import socket\nprint(sorted(n for _, n in socket.if_nameindex()))")
    assert "['lo']" in out


def test_runs_as_an_unprivileged_user_with_no_capabilities(grader: Grader) -> None:
    out = probe(
        grader, "import os\nprint(os.getuid(), os.geteuid())\nprint(open('/proc/self/status').read())"
    )
    assert "1000 1000" in out
    cap_eff = next(line for line in out.splitlines() if line.startswith("CapEff"))
    assert cap_eff.split()[1].strip("0") == ""


def test_no_docker_socket_no_secrets_in_environment(grader: Grader) -> None:
    out = probe(
        grader,
        "import os\nprint(os.path.exists('/var/run/docker.sock'), os.path.exists('/run/docker.sock'))\nprint(dict(os.environ))",
    )
    assert "False False" in out
    for word in ("TOKEN", "SECRET", "PASSWORD", "DATABASE", "REDIS", "ATTEST_FDS"):
        assert word not in out


def test_solutions_and_hidden_tests_are_nowhere_on_disk(grader: Grader) -> None:
    out = probe(
        grader,
        "import os\nhits = []\n"
        "for top in ('/tmp', '/home', '/run', '/var', '/etc', '/root', '/srv', '/mnt', '/opt/agent'):\n"
        "  for root, dirs, files in os.walk(top):\n"
        "    for f in files:\n        p = os.path.join(root, f)\n        try:\n"
        "            data = open(p, 'rb').read(4_000_000)\n        except OSError:\n            continue\n"
        f"        if bytes.fromhex('{HIDDEN_LITERAL.encode().hex()}') in data or bytes.fromhex('{SOLUTION_MARK.encode().hex()}') in data:\n"
        "            hits.append(p)\n"
        "print('HITS', hits)",
    )
    assert "HITS []" in out


def test_the_agent_memory_cannot_be_read_even_from_a_subprocess(grader: Grader) -> None:
    out = probe(
        grader,
        "import os, subprocess, sys\nppid = os.getppid()\n"
        'code = f\'open("/proc/{ppid}/mem", "rb").read(1); print("READ")\'\n'
        "r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)\n"
        "print('DENIED' if 'READ' not in r.stdout else 'READ-MEM')\n"
        "try:\n    print(open(f'/proc/{ppid}/environ', 'rb').read().replace(b'\\0', b' '))\nexcept OSError:\n    print('no environ')",
    )
    assert "DENIED" in out and "READ-MEM" not in out
    for word in ("KEY", "TOKEN", "SECRET", "PASSWORD"):
        assert word not in out


def test_requests_injected_through_proc_never_make_a_wrong_answer_pass(grader: Grader) -> None:
    inject = (
        f"{WRONG}\nimport os, json\n"
        "line = json.dumps({'op': 'execute', 'id': 1000, 'code': 'pass', 'timeout': 5, 'attest': True})\n"
        "try:\n    fds = os.listdir(f'/proc/{os.getppid()}/fd')\nexcept OSError:\n    fds = []\n"
        "for name in fds:\n"
        "    try:\n        fd = os.open(f'/proc/{os.getppid()}/fd/{name}', os.O_WRONLY | os.O_NONBLOCK)\n"
        "        os.write(fd, (line + '\\n').encode())\n    except OSError:\n        pass"
    )
    outcome = grader.grade_square(inject)
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0}


def test_the_agent_cannot_be_signalled(grader: Grader) -> None:
    out = probe(
        grader,
        "import os, signal\nfor sig in (signal.SIGKILL, signal.SIGSTOP, signal.SIGTERM):\n"
        "    try:\n        os.kill(os.getppid(), sig)\n        print('SIGNALLED', sig)\n    except PermissionError:\n"
        "        print('REFUSED')",
    )
    assert "SIGNALLED" not in out and out.count("REFUSED") == 3
