"""Values cross the learner/judge boundary by value only: exact types in, fresh exact types out."""

import base64
import datetime
import importlib.util
import io
import json
import math
from collections import namedtuple
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.properties import examples

# The agent folder is deliberately not a package: load the module from its file.
_PATH = Path(__file__).resolve().parents[3] / "sandboxes" / "agent" / "values.py"
_SPEC = importlib.util.spec_from_file_location("boundary_values", _PATH)
values = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(values)


def round_trip(value):
    return values.decode(values.encode(value))


def same(a, b):
    """Equal with exact types at every level; nan equals nan and -0.0 keeps its sign."""
    assert type(a) is type(b), (a, b)
    if type(a) is float:
        assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    elif type(a) in (list, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            same(x, y)
    elif type(a) is dict:
        assert len(a) == len(b)
        for (k1, v1), (k2, v2) in zip(a.items(), b.items(), strict=True):
            same(k1, k2)
            same(v1, v2)
    else:
        assert a == b


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text() | st.binary()
KEYS = st.none() | st.booleans() | st.integers() | st.text() | st.tuples(st.integers(), st.text())
PLAIN = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner) | st.lists(inner).map(tuple) | st.dictionaries(KEYS, inner),
    max_leaves=30,
)


@settings(max_examples=examples(200), deadline=None)
@given(PLAIN)
def test_plain_nested_values_come_back_equal_with_exact_types(value):
    same(round_trip(value), value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        -(10**999),
        -0.0,
        float("inf"),
        complex(1.5, -0.0),
        "lone \ud800 surrogate é",
        bytes(range(256)),
        [],
        (),
        {},
        {(1, ("a", (2,))): [()]},
        range(3, -10, -4),
        datetime.date(2024, 2, 29),
        datetime.datetime(2024, 1, 2, 3, 4, 5, 6),
        datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
        datetime.timedelta(days=-3, seconds=5, microseconds=7),
    ],
)
def test_every_stdlib_tag_round_trips(value):
    same(round_trip(value), value)


def test_set_and_frozenset_stay_distinct_and_nan_stays_nan():
    assert type(round_trip(set())) is set and type(round_trip(frozenset())) is frozenset
    assert round_trip({1, "a", (2, 3)}) == {1, "a", (2, 3)}
    assert round_trip(frozenset({frozenset({1})})) == frozenset({frozenset({1})})
    assert math.isnan(round_trip(float("nan")))


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6, dtype=np.int16).reshape(2, 3),
        np.asfortranarray(np.arange(6.0).reshape(3, 2)),
        np.array([1 + 2j], dtype=np.complex64),
        np.array([True, False]),
        np.array(["ab", "ç"]),
        np.array([b"x\x00"]),
        np.array(["2020-01-01", "NaT"], dtype="datetime64[ns]"),
        np.array([5, -1], dtype="timedelta64[s]"),
        np.zeros((0, 4), dtype=np.uint64),
        np.array(7, dtype=">i4"),
    ],
)
def test_plain_numpy_arrays_keep_dtype_shape_and_values(array):
    back = round_trip(array)
    assert type(back) is np.ndarray and back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_object_arrays_of_plain_scalars_round_trip():
    array = np.array([1, "a", None, 2.5, b"z", True], dtype=object).reshape(2, 3)
    back = round_trip(array)
    assert back.dtype == object and back.shape == (2, 3)
    for x, y in zip(array.ravel(), back.ravel(), strict=True):
        same(y, x)


@pytest.mark.parametrize(
    "scalar",
    [np.float64(-0.5), np.int8(-3), np.uint64(2**64 - 1), np.bool_(True), np.str_("hé")]
    + [np.datetime64("2020-01-01"), np.timedelta64(3, "ms"), np.complex128(1j), np.float32(1.25)],
)
def test_numpy_scalars_keep_their_exact_type(scalar):
    back = round_trip(scalar)
    assert type(back) is type(scalar) and back == scalar


SERIES = [
    pd.Series([1, 2, 3], index=["a", "b", "c"], name="n"),
    pd.Series(["a", None, "c"]),
    pd.Series(["a", None], dtype="string"),
    pd.Series(["a", None, 1], dtype=object, name=0),
    pd.Series(pd.Categorical(["x", "y", "x"], categories=["y", "x"], ordered=True)),
    pd.Series(pd.to_datetime(["2020-01-01", None])),
    pd.Series([1.5, np.nan], index=pd.MultiIndex.from_arrays([["a", "b"], [1, 2]], names=["k", None])),
    pd.Series([True], index=pd.Index(["o"], dtype=object)),
    pd.Series([], dtype="float32"),
]


@pytest.mark.parametrize("series", SERIES)
def test_series_round_trip_with_index_name_and_dtype(series):
    pd.testing.assert_series_equal(round_trip(series), series)


def test_dataframes_round_trip_with_index_columns_and_dtypes():
    frame = pd.DataFrame(
        {"a": [1, 2], "b": ["x", None], "c": pd.Categorical(["u", "v"]), "d": [1.5, np.nan]},
        index=pd.Index(["r", "s"], name="row"),
    )
    multi = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_arrays([["a", "a"], ["x", "y"]]))
    duplicated = pd.DataFrame([[1, "p"]], columns=["a", "a"])
    for value in (frame, multi, duplicated, pd.DataFrame(), pd.DataFrame(columns=["a"])):
        pd.testing.assert_frame_equal(round_trip(value), value)


def test_pandas_scalars_and_indexes_round_trip():
    assert round_trip(pd.Timestamp("2020-01-01 12:00")) == pd.Timestamp("2020-01-01 12:00")
    assert round_trip(pd.Timedelta("1D")) == pd.Timedelta("1D")
    assert round_trip(pd.NaT) is pd.NaT and round_trip(pd.NA) is pd.NA
    for index in (pd.RangeIndex(2, 9, 3, name="r"), pd.Index([1.5, 2.5]), pd.Index(["a"], dtype=object)):
        pd.testing.assert_index_equal(round_trip(index), index, exact=True)
    pd.testing.assert_extension_array_equal(
        round_trip(pd.Categorical(["a", "b"])), pd.Categorical(["a", "b"])
    )


class Liar(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class Plain:
    pass


Point = namedtuple("Point", "x y")


def generator():
    yield 1


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (Liar(3), "Liar"),
        (type("Shout", (str,), {})("hi"), "Shout"),
        (type("Bag", (dict,), {})(), "Bag"),
        (Point(1, 2), "Point"),
        (Plain(), "Plain"),
        (mock.MagicMock(), "unittest.mock.MagicMock"),
        (lambda: 1, "builtins.function"),
        (generator(), "builtins.generator"),
        ([1, {"k": Plain()}], "Plain"),
        (np.array([[1]]).view(np.matrix), "numpy.matrix"),
        (np.ma.masked_array([1]), "MaskedArray"),
        (np.array([Plain()], dtype=object), "Plain"),
        (np.array([None, [1]], dtype=object)[1:], "builtins.list"),
        (pd.Series([1, None], dtype="Int64"), "pandas dtype Int64"),
        (type("MySeries", (pd.Series,), {})([1]), "MySeries"),
        (pd.Timestamp("2020", tz="UTC"), "pandas.Timestamp"),
    ],
)
def test_a_value_of_a_refused_type_is_refused_by_name(value, name):
    with pytest.raises(values.Unsupported) as caught:
        values.encode(value)
    assert name in caught.value.type_name


def test_an_int_subclass_that_lies_is_refused_by_name():
    with pytest.raises(values.Unsupported) as caught:
        values.encode({"answer": Liar(42)})
    assert caught.value.type_name.endswith("test_values.Liar")


def nested(depth):
    value = None
    for _ in range(depth):
        value = [value]
    return value


def test_nesting_is_capped_at_max_depth_on_both_sides():
    assert round_trip(nested(100)) == nested(100)
    with pytest.raises(values.TooLarge):
        values.encode(nested(101))
    with pytest.raises(values.TooLarge):
        values.decode(values.encode(nested(101), values.Caps(max_depth=200)))


def test_a_document_200000_levels_deep_is_malformed_without_recursion_error():
    with pytest.raises(values.Malformed):
        values.decode(b"[" * 200_000 + b"]" * 200_000)


def test_item_count_int_digits_and_bytes_are_capped():
    past_the_cap = values.Caps().max_items + 1  # one past the default: 3,000,000 cost 12 s of the fast check
    with pytest.raises(values.TooLarge):
        values.encode([None] * past_the_cap)
    with pytest.raises(values.TooLarge):
        values.decode(b'["list",[' + b",".join([b'["none"]'] * past_the_cap) + b"]]")
    with pytest.raises(values.TooLarge):
        values.encode(10**5000)
    with pytest.raises(values.TooLarge):
        values.decode(b'["int","' + b"9" * 5000 + b'"]')
    with pytest.raises(values.TooLarge):
        values.encode("x" * 100, values.Caps(max_bytes=50))
    # Too many bytes are refused before parsing: this is not even JSON.
    with pytest.raises(values.TooLarge):
        values.decode(b"\xff" * 51, values.Caps(max_bytes=50))


def npy(array):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=True)
    return base64.b64encode(buf.getvalue()).decode()


def enc(node):
    return json.dumps(node).encode()


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"\xff\xfe",
        b"[NaN]",
        b'["float", 1.5]',
        enc(["frobnicate"]),
        enc({"tag": "none"}),
        enc([]),
        enc(["none", 1]),
        enc(["int", 5]),
        enc(["int", "0x10"]),
        enc(["bool", "yes"]),
        enc(["float", "1_000"]),
        enc(["float", "infinity"]),
        enc(["bytes", "!!"]),
        enc(["list", ["none"]]),
        enc(["set", [["list", []]]]),
        enc(["dict", [[["dict", []], ["none"]]]]),
        enc(["range", 0, 1, 0]),
        enc(["date", "yesterday"]),
        enc(["ndarray", npy(np.array([Plain()], dtype=object))]),
        enc(["ndarray", npy(np.zeros(2, dtype=[("a", "i4"), ("b", "f8")]))]),
        enc(["ndarray", base64.b64encode(b"\x93NUMPY garbage").decode()]),
        enc(["ndarray", npy(np.arange(3))[:-8]]),
        enc(["npscalar", npy(np.arange(3))]),
        enc(["objarray", [3], [["none"]]]),
        enc(["objarray", [1], [["list", []]]]),
        enc(
            ["series", ["ndarray", npy(np.arange(2))], ["rangeindex", 0, 2, 1, ["none"]], ["none"], "float64"]
        ),
        enc(["series", ["ndarray", npy(np.arange(2))], ["rangeindex", 0, 2, 1, ["none"]], ["none"], "Int64"]),
        enc(["series", ["ndarray", npy(np.arange(2))], ["rangeindex", 0, 5, 1, ["none"]], ["none"], "int64"]),
    ],
)
def test_bytes_that_break_the_format_are_malformed(data):
    with pytest.raises(values.Malformed):
        values.decode(data)


EXACT = {type(None), bool, int, float, complex, str, bytes, list, tuple, set, frozenset, dict, range}
EXACT |= {datetime.date, datetime.datetime, datetime.timedelta, datetime.timezone, np.ndarray}
EXACT |= {pd.Series, pd.DataFrame, pd.Index, pd.RangeIndex, pd.MultiIndex, pd.Categorical, pd.Timestamp}


def walk(value):
    assert type(value) in EXACT, type(value)
    if type(value) in (list, tuple, set, frozenset):
        for x in value:
            walk(x)
    elif type(value) is dict:
        for k, x in value.items():
            walk(k)
            walk(x)
    elif type(value) is datetime.datetime and value.tzinfo is not None:
        walk(value.tzinfo)
    elif type(value) is np.ndarray and value.dtype == object:
        for x in value.ravel():
            walk(x)


def test_decode_returns_only_exact_types_even_for_hand_written_nodes():
    data = enc(
        ["dict", [[["tuple", [["int", "1"], ["str", "k"]]], ["list", [["set", [["float", "-0.0"]]]]]]]]
    )
    walk(values.decode(data))
    objarray = ["objarray", [2], [["int", "1"], ["bytes", "AA=="]]]
    walk(values.decode(enc(["list", [objarray, ["datetime", "2020-01-01T00:00:00+02:00"]]])))
    walk(values.decode(values.encode([SERIES[1], pd.DataFrame({"a": [1]}), pd.Timestamp(0)])))


def test_type_name_reads_module_and_qualname_without_calling_the_value():
    class Meta(type):
        @property
        def __module__(cls):
            raise AssertionError("ran learner code")

    assert values.type_name(Meta("Odd", (), {})()) == f"{__name__}.Odd"
    assert values.type_name(1) == "builtins.int"
