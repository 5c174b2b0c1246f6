"""Which events count: the freeze, the reasons it asks for, and the newest version per key.

Every choice here is a maximum over an order on event *content* (version, then the body
itself), never on arrival, so events that arrive in another order are counted the same and
an older grade arriving late never replaces a newer one. The freeze, too, depends on times
(``at``), not on arrival: a grade or proctoring event recorded after the freeze time (the
earliest freeze event, or the programme's ``freeze_at``) is held, kept in the history but
not counted, unless it gives an instructor's ``reason``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from records.history import canonical_json
from records.model import Event
from records.programme import Programme

GradeKey = tuple[str, str, str, str]  # course, item, kind ("assignment" or "exam"), submission or attempt id
AttemptKey = tuple[str, str, str]  # course, exam item, attempt id
HELD_KINDS = ("grade", "proctoring")  # overrides always carry a reason; freezes are not changes


@dataclass(frozen=True)
class Counted:
    """The events that count, by key, and those that do not, with why."""

    grades: dict[GradeKey, Event]
    states: dict[AttemptKey, Event]  # the newest proctoring outcome of each exam attempt
    overrides: dict[str, Event]  # by course
    conflicts: frozenset[int]  # seqs of winners that tied on version with a different body
    held: tuple[Event, ...]  # held by the freeze
    ignored: tuple[Event, ...]  # overrides without a reason and an author, or of another field


def count_events(programme: Programme, history: tuple[Event, ...]) -> Counted:
    freeze = freeze_time(programme, history)
    held = tuple(event for event in history if _held(event, freeze))
    admitted = [event for event in history if not _held(event, freeze)]
    ignored = tuple(e for e in admitted if e.kind == "override" and not _applies(e))
    groups: dict[tuple[str, ...], list[Event]] = defaultdict(list)
    for event in admitted:
        if event.kind in HELD_KINDS or (event.kind == "override" and _applies(event)):
            groups[(event.kind, *_key(event))].append(event)
    winners = {key: max(group, key=_rank) for key, group in groups.items()}
    conflicts = frozenset(
        winners[key].seq
        for key, group in groups.items()
        if any(_version(e) == _version(winners[key]) and e.body != winners[key].body for e in group)
    )
    return Counted(
        grades={grade_key(e): e for e in winners.values() if e.kind == "grade"},
        states={attempt_key(e): e for e in winners.values() if e.kind == "proctoring"},
        overrides={str(e.body["course"]): e for e in winners.values() if e.kind == "override"},
        conflicts=conflicts,
        held=held,
        ignored=ignored,
    )


def freeze_time(programme: Programme, history: Iterable[Event]) -> datetime | None:
    """The earliest of the programme's ``freeze_at`` and the ``at`` of any freeze event."""
    times = [parse_time(event.at) for event in history if event.kind == "freeze"]
    if programme.policies.freeze_at is not None:
        times.append(programme.policies.freeze_at)
    return min(times, default=None)


def _held(event: Event, freeze: datetime | None) -> bool:
    return (
        event.kind in HELD_KINDS
        and freeze is not None
        and parse_time(event.at) > freeze
        and not has_text(event, "reason")
    )


def _applies(override: Event) -> bool:
    """An override changes the grade, the only field it may set, and says why and who."""
    return override.body.get("field", "grade") == "grade" and has_text(override, "reason", "author")


def has_text(event: Event, *keys: str) -> bool:
    """Every key holds a non-blank string: a reason of "" explains nothing."""
    return all(isinstance(event.body.get(key), str) and str(event.body[key]).strip() for key in keys)


def _version(event: Event) -> float:
    return float(event.body.get("version", 0))


def _rank(event: Event) -> tuple[float, bytes, str, str, int]:
    """Highest version first; equal versions are settled by the body's canonical JSON, then
    ``at``, ``actor`` and seq: an arbitrary but fixed order that arrival cannot change."""
    return (_version(event), canonical_json(event.body), event.at, event.actor, event.seq)


def _key(event: Event) -> tuple[str, ...]:
    if event.kind == "grade":
        return grade_key(event)
    if event.kind == "proctoring":
        return attempt_key(event)
    return (str(event.body.get("course")),)


def grade_key(event: Event) -> GradeKey:
    body = event.body
    return (str(body["course"]), str(body["item"]), str(body["kind"]), attempt_id(event))


def attempt_key(event: Event) -> AttemptKey:
    return (str(event.body["course"]), str(event.body["item"]), attempt_id(event))


def attempt_id(event: Event) -> str:
    """An exam grade names its attempt, an assignment grade its submission."""
    return str(event.body.get("attempt_id") or event.body.get("submission_id") or "")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)
