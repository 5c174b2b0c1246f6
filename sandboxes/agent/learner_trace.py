"""Tracebacks as the learner wrote their code: their frames and line numbers, none of ours.

Runs in the kernel. An interrupt raised by the kernel's signal handler, or a learner
function the judge called through ``answers.py``, would otherwise show the agent's own
frames (files under /opt/agent) around the learner's, which tells the learner nothing
and hides where their code was stopped.
"""

import os
import re
import traceback

AGENT_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
TEXT_CAP = 64 * 1024  # one traceback line
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
IPYTHON_INPUT = re.compile(r'File "<ipython-input-(\d+)-[0-9a-f]+>"')


def learner_entries(stb):
    """IPython's structured traceback without the entries of frames in the agent's files."""
    return [entry for entry in stb if not ANSI.sub("", entry).lstrip().startswith(f"File {AGENT_DIR}")]


def learner_lines(exc):
    """A plain traceback of ``exc`` keeping only the learner's frames, cells named as IPython names them."""
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(AGENT_DIR)]
        lines = ["Traceback (most recent call last):\n"] if frames else []
        lines += [IPYTHON_INPUT.sub(r"Cell In[\1]", line) for line in traceback.format_list(frames)]
        lines += traceback.format_exception_only(type(exc), exc)
        return [line[:TEXT_CAP] for line in lines[:200]]
    except BaseException:  # the learner's exception may fail to print itself
        return []
