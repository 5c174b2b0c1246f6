"""Feedback HTML for the learner: their notebook as graded, without any hidden test source.

A test cell that holds hidden tests is shown as the learner's release showed it (hidden
region removed), and none of its outputs are shown: a traceback, an assertion message or
a print from a hidden test could repeat the hidden source or its literals. Only its score,
status and the name of the exception remain.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from grader.answer_fate import fate_of
from grader.cells import Role, grade_id_of, has_hidden_tests, role_of, source_text, strip_hidden_tests
from grader.execution import CellRun
from grader.prepare import NotebookPlan
from grader.report import GradeReport
from grader.scoring import CellResult
from grader.secrets_filter import hidden_fragments, redact

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#1b1b1b}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
.cell{border-left:4px solid #d0d7de;margin:1rem 0;padding-left:.8rem}
.passed{border-color:#1a7f37}.partial{border-color:#bf8700}.failed,.error,.timeout,.not_run{border-color:#cf222e}
.needs_manual_grading{border-color:#8250df}.badge{font-weight:600}.out{background:#fff;border:1px solid #eee}
"""


def render_feedback(
    title: str,
    report: GradeReport,
    plans: Mapping[str, NotebookPlan],
    runs: Mapping[str, Mapping[int, CellRun]],
) -> str:
    results = {(c.notebook, c.grade_id): c for c in report.cells}
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p class='badge'>Score: {report.score:g} / {report.max_score:g}</p>",
    ]
    if not report.on_time:
        parts.append(f"<p>Received after the deadline: {report.late_credit * 100:g}% of the credit kept.</p>")
    parts.extend(f"<p class='event'>{_e(event)}</p>" for event in report.events)
    for name, plan in plans.items():
        parts.append(f"<h2>{_e(name)}</h2>")
        secret = hidden_fragments(plan.merged.cells)
        for index, cell in enumerate(plan.merged.cells):
            result = results.get((name, grade_id_of(cell) or ""))
            parts.append(_render_cell(cell, runs.get(name, {}).get(index), result, secret))
    parts.append("</body></html>")
    return "".join(parts)


def _render_cell(
    cell: dict[str, Any], run: CellRun | None, result: CellResult | None, secret: tuple[str, ...]
) -> str:
    css = result.status if result else ""
    hidden = role_of(cell) is Role.TEST and has_hidden_tests(cell)
    text = strip_hidden_tests(source_text(cell)) if hidden else source_text(cell)
    body = [f"<div class='cell {css}'>"]
    if result is not None:
        score = "ungraded" if result.score is None else f"{result.score:g} / {result.max_score:g}"
        label = f"{result.grade_id}: {score} ({result.status.replace('_', ' ')})"
        body.append(f"<p class='badge'>{_e(label)}</p>")
        if result.message:
            body.append(f"<p>{_e(result.message)}</p>")
    body.append(f"<pre>{_e(text)}</pre>")
    if run is not None and role_of(cell) is not Role.TEST and run.status != "error" and fate_of(run):
        body.append(f"<p>This cell {_e(fate_of(run))}.</p>")  # an error says so in its traceback
    if run is not None and not hidden:
        body.extend(_render_output(output, secret) for output in run.outputs)
        if run.truncated:
            body.append("<p>Output was cut at the size limit.</p>")
    elif run is not None and hidden:
        body.append("<p>This cell includes hidden tests; its output is not shown.</p>")
    body.append("</div>")
    return "".join(body)


def _render_output(output: dict[str, Any], secret: tuple[str, ...]) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return _text_block(output.get("text", ""), secret)
    if kind == "error":
        trace = "\n".join(output.get("traceback", [])) or f"{output.get('ename')}: {output.get('evalue')}"
        return _text_block(ANSI.sub("", trace), secret)
    data = output.get("data", {})
    if "image/png" in data:
        return f"<img alt='figure' src='data:image/png;base64,{_e(str(data['image/png']).strip())}'>"
    text = data.get("text/plain", "")
    return _text_block("".join(text) if isinstance(text, list) else str(text), secret)


def _text_block(text: str, secret: tuple[str, ...]) -> str:
    return f"<pre class='out'>{_e(redact(text, secret))}</pre>"


def _e(text: str) -> str:
    return html.escape(text, quote=True)
