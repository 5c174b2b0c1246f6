"""Reading a JSON request body, with errors that name the field."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from grader.errors import BadInput
from web.forms import MAX_NAME_LENGTH, check_printable

MAX_REASON = 2000


def json_object(raw: bytes | None = None) -> dict[str, Any]:
    """The body (or ``raw``) as a JSON object; BadInput for anything else."""
    data = request.get_data(cache=True) if raw is None else raw
    try:
        value = json.loads(data)
    except RecursionError:  # "[[[[..." a hundred thousand deep: hostile, not a server fault
        raise BadInput("the body is nested too deeply to be read") from None
    except (ValueError, UnicodeDecodeError) as exc:  # ValueError includes integers past the digit limit
        raise BadInput(f"the body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadInput("the body must be a JSON object")
    try:  # "\ud800" is valid JSON, but a lone surrogate is not text: no database or UTF-8 output can hold it
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput(
            "the body holds a lone surrogate escape (e.g. \\ud800), which is not valid Unicode"
        ) from None
    return value


def name_field(body: dict[str, Any], field: str, required: bool = True) -> str | None:
    """A short printable string field (an id, a name); None when optional and absent."""
    value = body.get(field)
    if value is None or value == "":
        if required:
            raise BadInput(f"the JSON body needs a non-empty string '{field}'")
        return None
    if not isinstance(value, str):
        raise BadInput(f"'{field}' must be a string")
    value = value.strip()
    if not value or len(value) > MAX_NAME_LENGTH:
        raise BadInput(f"'{field}' must be 1 to {MAX_NAME_LENGTH} characters")
    check_printable(value, field)
    return value


def string_list(body: dict[str, Any], field: str) -> list[str]:
    value = body.get(field)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise BadInput(f"'{field}' must be a non-empty list of strings")
    for item in value:
        check_printable(item, field)
    return [v.strip() for v in value]


def reason_field(body: dict[str, Any], kept: str) -> str:
    """The required ``reason`` of an instructor's action, stripped; ``kept`` says where it is recorded."""
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
        raise BadInput(f"'reason' must be a string of at most {MAX_REASON} characters")
    if not reason or not reason.strip():
        raise BadInput(f"a reason is required (it is kept {kept})")
    return reason.strip()
