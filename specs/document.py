"""Decoding an exam spec's text (YAML or JSON, chosen by file name) into plain data.

Both decoders refuse a key that appears twice in one mapping: YAML and JSON libraries
otherwise keep the last value silently, and a duplicated ``draw`` or ``closes`` is a typo
an instructor must hear about, not one we guess at.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

import yaml

from grader.errors import InvalidSpec

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIX = ".json"


def decode_spec(spec_name: str, text: str) -> Any:
    """The spec as dicts, lists and scalars; ``InvalidSpec`` naming the file and the line."""
    if spec_name.endswith(JSON_SUFFIX):
        return _decode_json(spec_name, text)
    if spec_name.endswith(YAML_SUFFIXES):
        return _decode_yaml(spec_name, text)
    raise InvalidSpec(f"{spec_name}: a spec must be a .yaml, .yml or .json file")


def _decode_json(spec_name: str, text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=lambda pairs: _unique_keys(spec_name, pairs))
    except json.JSONDecodeError as exc:
        raise InvalidSpec(f"{spec_name}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except RecursionError:
        raise InvalidSpec(f"{spec_name}: nested too deeply to be a spec") from None
    except ValueError as exc:  # an integer past Python's digit limit
        raise InvalidSpec(f"{spec_name}: not valid JSON ({exc})") from None


def _unique_keys(spec_name: str, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InvalidSpec(f"{spec_name}: the key {key!r} appears twice in one mapping")
        out[key] = value
    return out


# PyYAML's safe loader, except that a repeated key is an error; made with type() because
# PyYAML ships no type hints, and mypy --strict refuses a class statement subclassing Any.
_StrictLoader: Any = type("_StrictLoader", (yaml.SafeLoader,), {})


def _construct_unique_mapping(loader: Any, node: Any) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, Hashable):
            continue  # construct_mapping below reports the unhashable key itself
        if key in seen:
            line = key_node.start_mark.line + 1
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice (line {line})"
            )
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=True)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def _decode_yaml(spec_name: str, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: builds plain data only
    except yaml.YAMLError as exc:
        raise InvalidSpec(f"{spec_name}: not valid YAML ({_yaml_reason(exc)})") from exc
    except RecursionError:  # PyYAML composes nodes recursively: "[[[[..." fifty thousand deep
        raise InvalidSpec(f"{spec_name}: nested too deeply to be a spec") from None
    except ValueError as exc:  # an integer past Python's digit limit
        raise InvalidSpec(f"{spec_name}: not valid YAML ({exc})") from None


def _yaml_reason(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        where = f"line {exc.problem_mark.line + 1}: " if exc.problem_mark else ""
        return f"{where}{exc.problem or exc.context}"
    return str(exc)
