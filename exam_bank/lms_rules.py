"""What of an exam's spec decides the score an LMS shows for it, read from the spec text alone.

The store writes an exam's LTI scores in the same transaction as the attempt's change of
state (``store/lti_exam_scores.py``), so it needs these two settings without parsing the
questions (which needs the notebook libraries the store does not load). The spec was
checked whole at upload; the same readers (and defaults) serve ``exam_bank/spec.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from specs.document import decode_spec
from specs.fields import Where, read_bool, read_choice, read_mapping

LMS_SCORES = ("best", "latest")  # which counting attempt's score the LMS gets
read_lms_score = partial(read_choice, choices=LMS_SCORES)


@dataclass(frozen=True)
class LmsRules:
    requires_proctoring: bool = True  # the spec's default: an attempt counts once a proctor verified it
    lms_score: str = "best"


def lms_rules(spec_name: str, text: str) -> LmsRules:
    raw: dict[str, Any] = read_mapping(decode_spec(spec_name, text), Where(spec_name), allowed=None)
    where = Where(spec_name)
    rules = LmsRules()
    return LmsRules(
        requires_proctoring=read_bool(raw["requires_proctoring"], where.key("requires_proctoring"))
        if "requires_proctoring" in raw
        else rules.requires_proctoring,
        lms_score=read_lms_score(raw["lms_score"], where.key("lms_score"))
        if "lms_score" in raw
        else rules.lms_score,
    )
