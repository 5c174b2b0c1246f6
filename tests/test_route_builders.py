"""The test-only memo of werkzeug's URL builders must build the URLs werkzeug would."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from tests.route_builders import remember_route_builders


def build(rules: list[Rule], endpoint: str, **values: object) -> str:
    return Map(rules).bind("example.org").build(endpoint, values)


def test_the_same_rule_in_two_maps_builds_the_same_urls() -> None:
    remember_route_builders()
    first = build(
        [Rule("/courses/<course>/items/<int:item>", endpoint="item")], "item", course="ds 101", item=7
    )
    again = build(
        [Rule("/courses/<course>/items/<int:item>", endpoint="item")], "item", course="x", item=8, page=2
    )
    assert (first, again) == ("/courses/ds%20101/items/7", "/courses/x/items/8?page=2")


def test_rules_that_differ_only_in_defaults_or_converters_are_not_confused() -> None:
    remember_route_builders()
    plain = build([Rule("/a/<name>", endpoint="a")], "a", name="b")
    defaulted = build([Rule("/a/<name>", endpoint="a", defaults={"name": "fixed"})], "a")
    as_int = build([Rule("/a/<int(fixed_digits=3):name>", endpoint="a")], "a", name=4)
    assert (plain, defaulted, as_int) == ("/a/b", "/a/fixed", "/a/004")
