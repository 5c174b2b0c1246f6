"""An attempt's state in the learner's words (web/pages/attempt_words.py), and durations as the room's clock says them."""

from __future__ import annotations

import pytest

from exam_bank.states import STATES
from web.pages.attempt_words import WORDS, learner_words, spoken_duration


def test_every_attempt_state_has_words_that_are_not_staff_vocabulary() -> None:
    assert set(WORDS) == set(STATES)
    assert all("_" not in learner_words(state, False) for state in STATES)


def test_a_proctored_graded_attempt_still_waits_for_its_review() -> None:
    assert learner_words("graded", requires_proctoring=True) == "graded, waiting for the proctoring review"
    assert learner_words("graded", requires_proctoring=False) == "graded"
    assert learner_words("verified", requires_proctoring=True) == "graded and verified"


def test_an_error_tells_the_learner_the_time_left_is_kept() -> None:
    assert "resume it with the time you had left" in learner_words("error", False)


def test_a_state_without_words_is_still_read_as_words() -> None:
    assert learner_words("under_appeal", False) == "under appeal"


@pytest.mark.parametrize(
    ("seconds", "spoken"),
    [
        (-30, "0 s"),
        (0, "0 s"),
        (45.9, "45 s"),
        (60, "1 min"),
        (125, "2 min 5 s"),
        (3600, "1 h"),
        (3660, "1 h 1 min"),
        (3661, "1 h 1 min"),
        (90000, "25 h"),
    ],
)
def test_a_duration_is_spoken_in_its_two_largest_units(seconds: float, spoken: str) -> None:
    assert spoken_duration(seconds) == spoken
