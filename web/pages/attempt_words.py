"""What an exam attempt's state means to the learner, in words: the states themselves are staff vocabulary.

``second_review`` or ``error`` tells a learner nothing; "being reviewed" and "interrupted"
do. Each state has words here, and a test checks that no state is left without them.
"""

from __future__ import annotations

from exam_bank.states import STATES

WORDS = {
    "created": "not started yet",
    "started": "in progress",
    "submitted": "handed in, being graded",
    "graded": "graded",
    "verified": "graded and verified",
    "rejected": "not accepted after review",
    "second_review": "being reviewed by your instructor",
    "error": "interrupted: your instructor can resume it with the time you had left",
}
assert set(WORDS) == set(STATES), "every attempt state needs words for the learner"


def learner_words(state: str, requires_proctoring: bool) -> str:
    """The state as the learner should read it; a proctored graded attempt still waits for its review."""
    if state == "graded" and requires_proctoring:
        return "graded, waiting for the proctoring review"
    return WORDS.get(state, state.replace("_", " "))


def spoken_duration(seconds: float) -> str:
    """``45 s``, ``2 min``, ``1 h 5 min``: how long, as the room's script writes it too (app.js)."""
    whole = max(0, int(seconds))
    hours, minutes, rest = whole // 3600, whole % 3600 // 60, whole % 60
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    return f"{rest} s"
