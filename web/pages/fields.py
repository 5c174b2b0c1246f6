"""Form errors shown next to the field that caused them, instead of one message for the whole page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from grader.errors import (
    AutogradeError,
    BadInput,
    Forbidden,
    InvalidSpec,
    NotFound,
    Unauthenticated,
)
from web.errors import status_for

T = TypeVar("T")


class FieldErrors:
    """Collects the first problem of each field; a page shows them with its form and answers 422."""

    def __init__(self) -> None:
        self.messages: dict[str, str] = {}
        self.problems: dict[str, list[str]] = {}  # every problem of an upload that has many (an exam spec)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def check(self, field: str, step: Callable[[], T], refusals: bool = False) -> T | None:
        """``step()``, or None with the message kept under ``field`` when the person's input is at fault.

        Faults of the service (5xx), a lost login, a refusal and a missing record still raise:
        they are about the person or the page, not a field, and get the API's status.
        ``refusals=True`` keeps a refusal by the field instead, for a field that can earn one
        (a wrong exam access code).
        """
        try:
            return step()
        except AutogradeError as exc:
            if isinstance(exc, Forbidden) and refusals:
                self.add(field, exc.message)
                return None
            if isinstance(exc, Unauthenticated | Forbidden | NotFound) or status_for(exc) >= 500:
                raise
            self.add(field, exc.message)
            if isinstance(exc, InvalidSpec):
                self.problems.setdefault(field, list(exc.problems))
            return None

    def add(self, field: str, message: str) -> None:
        self.messages.setdefault(field, message)


def parse_number(raw: str | None, what: str) -> float:
    """A number typed into a form field; ``what`` names the field in the message."""
    try:
        return float((raw or "").strip())
    except ValueError as exc:
        raise BadInput(f"{what} must be a number, e.g. 1.5") from exc
