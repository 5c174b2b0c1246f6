"""Carry values by value, in JSON that cannot execute, between the learner's kernel and the judge.

Both directions use it: answers go learner -> judge, call arguments go judge -> learner. The
encoder decides by exact type (``type(v) is int``), so a subclass, and with it any method a
learner could override, is refused by name instead of being trusted. The decoder treats every
byte as hostile and rebuilds fresh objects of exact builtin, numpy or pandas types, so nothing
the learner defined ever runs in the judge.

Stdlib only at import time: the agent, the judge and the kernel all import it from the image.
numpy and pandas are imported lazily, and on the encoding side only if the process already has
them (a value cannot be an ndarray if numpy was never imported).
"""

import base64
import binascii
import datetime
import io
import json
import math
import re
import sys
from dataclasses import dataclass


class BoundaryError(Exception):
    """A value that cannot cross the boundary."""


class Unsupported(BoundaryError):
    """Not a type the boundary carries; ``.type_name`` holds the offending type's qualified name."""

    def __init__(self, type_name: str) -> None:
        super().__init__(f"cannot carry a value of type {type_name}")
        self.type_name = type_name


class TooLarge(BoundaryError):
    """Past a cap (bytes, depth, element count, int digits)."""


class Malformed(BoundaryError):
    """Bytes that do not follow the format (only raised by decode)."""


@dataclass(frozen=True)
class Caps:
    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 100
    max_items: int = 1_000_000  # a tree of a million nodes costs the encoder ~150 MB: under any memory limit
    max_int_digits: int = 4300


NUMPY_KINDS = "biufcUSMm"
PANDAS_STRINGS = ("str", "string")
# A Python float literal as repr() writes it; anything looser could smuggle surprises into float().
FLOAT_RE = re.compile(r"-?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?|nan|inf|-inf")
INT_RE = re.compile(r"-?(?:0|[1-9][0-9]*)")
MAX_FLOAT_CHARS = 400
MAX_NDIM = 64


def type_name(value: object) -> str:
    """``module.qualname`` of type(value), read through ``type``'s own descriptors.

    ``cls.__module__`` would consult the metaclass first, and a learner's metaclass could run code.
    """
    cls = type(value)
    module = type.__dict__["__module__"].__get__(cls)
    qualname = type.__dict__["__qualname__"].__get__(cls)
    module = module if type(module) is str else "?"
    qualname = qualname if type(qualname) is str else "?"
    return f"{module}.{qualname}"


# ---------------------------------------------------------------------------------------------
# Encoding


class _Budget:
    """Running totals checked against the caps while walking, so a huge value stops early."""

    def __init__(self, caps: Caps) -> None:
        self.caps = caps
        self.items = 0
        self.size = 0

    def item(self) -> None:
        self.items += 1
        if self.items > self.caps.max_items:
            raise TooLarge(f"more than {self.caps.max_items} items")

    def expect(self, count: int) -> None:
        """A container's length, known before its first element is walked: refuse it whole."""
        if self.items + count > self.caps.max_items:
            raise TooLarge(f"more than {self.caps.max_items} items")

    def enter(self, depth: int) -> int:
        if depth > self.caps.max_depth:
            raise TooLarge(f"nested deeper than {self.caps.max_depth}")
        return depth

    def grow(self, nbytes: int) -> None:
        self.size += nbytes
        if self.size > self.caps.max_bytes:
            raise TooLarge(f"more than {self.caps.max_bytes} bytes")


def encode(value: object, caps: Caps = Caps()) -> bytes:
    """The value as format bytes; raises Unsupported or TooLarge."""
    budget = _Budget(caps)
    try:
        tree = _enc(value, 0, budget)
    except RecursionError as exc:  # only reachable with a max_depth above the interpreter's limit
        raise TooLarge("nested deeper than the interpreter allows") from exc
    data = json.dumps(tree, separators=(",", ":"), allow_nan=False).encode("ascii")
    if len(data) > caps.max_bytes:
        raise TooLarge(f"{len(data)} bytes is more than {caps.max_bytes}")
    return data


def _enc_int(v: int, budget: _Budget) -> str:
    # bit_length first, so a huge int is refused before the cost of printing it.
    if v.bit_length() > budget.caps.max_int_digits * 3.33 + 8:
        raise TooLarge(f"an int of more than {budget.caps.max_int_digits} digits")
    try:
        text = int.__repr__(v)
    except ValueError as exc:  # past sys.get_int_max_str_digits()
        raise TooLarge("an int past the interpreter's digit limit") from exc
    if len(text.lstrip("-")) > budget.caps.max_int_digits:
        raise TooLarge(f"an int of more than {budget.caps.max_int_digits} digits")
    budget.grow(len(text))
    return text


def _enc_plain(v: object, budget: _Budget) -> list[object] | None:
    """The node of a plain scalar, or None if v is not one."""
    t = type(v)
    if v is None:
        return ["none"]
    if t is bool:
        return ["bool", v]
    if t is int:
        return ["int", _enc_int(v, budget)]
    if t is float:
        return ["float", float.__repr__(v)]
    if t is complex:
        return ["complex", float.__repr__(v.real), float.__repr__(v.imag)]
    if t is str:
        budget.grow(len(v))
        return ["str", v]
    if t is bytes:
        budget.grow(len(v) * 4 // 3)
        return ["bytes", base64.b64encode(v).decode("ascii")]
    return None


def _enc_plain_only(v: object, budget: _Budget) -> list[object]:
    budget.item()
    node = _enc_plain(v, budget)
    if node is None:
        raise Unsupported(type_name(v))
    return node


def _enc(v: object, depth: int, budget: _Budget) -> list[object]:
    budget.item()
    node = _enc_plain(v, budget)
    if node is not None:
        return node
    t = type(v)
    if t in (list, tuple, set, frozenset):
        inner = budget.enter(depth + 1)
        budget.expect(t.__len__(v))
        return [t.__name__, [_enc(x, inner, budget) for x in v]]
    if t is dict:
        inner = budget.enter(depth + 1)
        budget.expect(2 * dict.__len__(v))
        return ["dict", [[_enc(k, inner, budget), _enc(x, inner, budget)] for k, x in dict.items(v)]]
    node = _enc_stdlib(v, budget)
    if node is not None:
        return node
    if "numpy" in sys.modules:
        node = _enc_numpy(v, budget)
        if node is not None:
            return node
    if "pandas" in sys.modules:
        node = _enc_pandas(v, budget, depth)
        if node is not None:
            return node
    raise Unsupported(type_name(v))


def _enc_stdlib(v: object, budget: _Budget) -> list[object] | None:
    t = type(v)
    if t is range:
        return ["range", *(int(_enc_int(x, budget)) for x in (v.start, v.stop, v.step))]
    if t is datetime.date:
        return ["date", v.isoformat()]
    if t is datetime.datetime:
        # Only a fixed offset can be rebuilt by value; a zoneinfo or custom tzinfo cannot.
        if v.tzinfo is not None and type(v.tzinfo) is not datetime.timezone:
            raise Unsupported(type_name(v.tzinfo))
        return ["datetime", v.isoformat()]
    if t is datetime.timedelta:
        return ["timedelta", v.days, v.seconds, v.microseconds]
    return None


# ---------------------------------------------------------------------------------------------
# numpy, encoding side


def _numpy_scalar_types(np: object) -> frozenset[type]:
    names = (
        "bool_ byte ubyte short ushort intc uintc int_ uint longlong ulonglong half single double "
        "longdouble csingle cdouble clongdouble str_ bytes_ datetime64 timedelta64"
    )
    return frozenset(getattr(np, name) for name in names.split())


def _plain_dtype(dtype: object) -> bool:
    import numpy as np

    return (
        isinstance(dtype, np.dtype)
        and dtype.kind in NUMPY_KINDS
        and dtype.fields is None
        and dtype.subdtype is None
        and not dtype.hasobject
    )


def _npy(arr: object, budget: _Budget) -> str:
    import numpy as np

    budget.grow(arr.nbytes * 4 // 3)
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _enc_array(arr: object, budget: _Budget) -> list[object]:
    """An exact ndarray as an ``ndarray`` or ``objarray`` node."""
    import numpy as np

    if type(arr) is not np.ndarray:
        raise Unsupported(type_name(arr))
    if arr.dtype.kind == "O":
        flat = arr.reshape(-1)
        elements = [_enc_plain_only(flat[i], budget) for i in range(flat.shape[0])]
        return ["objarray", list(arr.shape), elements]
    if not _plain_dtype(arr.dtype):
        raise Unsupported(f"numpy dtype {arr.dtype}")
    return ["ndarray", _npy(arr, budget)]


def _enc_numpy(v: object, budget: _Budget) -> list[object] | None:
    import numpy as np

    t = type(v)
    if t is np.ndarray:
        return _enc_array(v, budget)
    if t in _numpy_scalar_types(np):
        return ["npscalar", _npy(np.asarray(v), budget)]
    return None


# ---------------------------------------------------------------------------------------------
# pandas, encoding side


def _dtype_name(dtype: object) -> str:
    """The dtype string the format carries for a pandas dtype, or Unsupported."""
    import numpy as np
    import pandas as pd

    if isinstance(dtype, np.dtype) and (_plain_dtype(dtype) or dtype.kind == "O"):
        return str(dtype)
    if type(dtype) is pd.StringDtype and str(dtype) in PANDAS_STRINGS:
        return str(dtype)
    if type(dtype) is pd.CategoricalDtype:
        return "category"
    # str() of a foreign extension dtype would run its code; name it by type instead.
    if type_name(dtype).startswith("pandas."):
        raise Unsupported(f"pandas dtype {dtype}")
    raise Unsupported(f"pandas dtype {type_name(dtype)}")


def _enc_values(values: object, dtype_name: str, budget: _Budget) -> list[object]:
    """The values of a Series, an Index or a column: ndarray, objarray or categorical."""
    import numpy as np
    import pandas as pd

    budget.item()
    if dtype_name == "category":
        cat = values.array if type(values) is not pd.Categorical else values
        return _enc_categorical(cat, budget)
    if dtype_name in PANDAS_STRINGS:
        # pd.NA is no plain scalar; None rebuilds it once the array is cast back to "string".
        raw = values.to_numpy(dtype=object, na_value=None if dtype_name == "string" else np.nan)
        return _enc_array(raw, budget)
    return _enc_array(values.to_numpy(), budget)


def _enc_categorical(cat: object, budget: _Budget) -> list[object]:
    import pandas as pd

    if type(cat) is not pd.Categorical:
        raise Unsupported(type_name(cat))
    budget.item()  # the codes, counted as the decoder counts them
    codes = _enc_array(cat.codes, budget)
    return ["categorical", codes, _enc_index(cat.categories, budget), bool(cat.ordered)]


def _enc_index(idx: object, budget: _Budget) -> list[object]:
    import pandas as pd

    budget.item()
    t = type(idx)
    if t is pd.RangeIndex:
        name = _enc_plain_only(idx.name, budget)
        return ["rangeindex", idx.start, idx.stop, idx.step, name]
    if t is pd.MultiIndex:
        levels = [_enc_index(idx.get_level_values(i), budget) for i in range(idx.nlevels)]
        return ["multiindex", levels, [_enc_plain_only(n, budget) for n in idx.names]]
    if t in (pd.Index, pd.DatetimeIndex, pd.TimedeltaIndex, pd.CategoricalIndex):
        dtype = _dtype_name(idx.dtype)
        return ["index", _enc_values(idx, dtype, budget), _enc_plain_only(idx.name, budget), dtype]
    raise Unsupported(type_name(idx))


def _enc_series(s: object, budget: _Budget) -> list[object]:
    dtype = _dtype_name(s.dtype)
    values = _enc_values(s, dtype, budget)
    return ["series", values, _enc_index(s.index, budget), _enc_plain_only(s.name, budget), dtype]


def _enc_frame(df: object, budget: _Budget) -> list[object]:
    columns, dtypes = [], []
    for i in range(df.shape[1]):
        col = df.iloc[:, i]
        dtypes.append(_dtype_name(col.dtype))
        columns.append(_enc_values(col, dtypes[-1], budget))
    return ["dataframe", _enc_index(df.index, budget), _enc_index(df.columns, budget), columns, dtypes]


def _enc_pandas(v: object, budget: _Budget, depth: int) -> list[object] | None:
    import pandas as pd

    t = type(v)
    if v is pd.NaT:
        return ["nat"]
    if v is pd.NA:
        return ["na"]
    if t is pd.Timestamp or t is pd.Timedelta:
        if t is pd.Timestamp and v.tz is not None:
            raise Unsupported(f"{type_name(v)} with tz {v.tz}")
        try:
            ns = v.value if t is pd.Timedelta else v.as_unit("ns").value
        except (OverflowError, ValueError) as exc:  # outside the nanosecond range
            raise Unsupported(f"{type_name(v)} outside the nanosecond range") from exc
        return ["timestamp" if t is pd.Timestamp else "timedelta64ns", int(ns)]
    # Everything pandas below is one level of nesting; its parts have a fixed shape.
    if t is pd.Series:
        budget.enter(depth + 1)
        return _enc_series(v, budget)
    if t is pd.DataFrame:
        budget.enter(depth + 1)
        return _enc_frame(v, budget)
    if t is pd.Categorical:
        budget.enter(depth + 1)
        return _enc_categorical(v, budget)
    if t in (
        pd.RangeIndex,
        pd.MultiIndex,
        pd.Index,
        pd.DatetimeIndex,
        pd.TimedeltaIndex,
        pd.CategoricalIndex,
    ):
        budget.enter(depth + 1)
        return _enc_index(v, budget)
    return None


# ---------------------------------------------------------------------------------------------
# Decoding


def decode(data: bytes, caps: Caps = Caps()) -> object:
    """A fresh value of exact known types from format bytes; raises Malformed or TooLarge."""
    if type(data) not in (bytes, bytearray):
        raise Malformed(f"expected bytes, got {type_name(data)}")
    if len(data) > caps.max_bytes:
        raise TooLarge(f"{len(data)} bytes is more than {caps.max_bytes}")
    budget = _Budget(caps)
    try:
        tree = json.loads(data.decode("utf-8"), parse_constant=_no_constant, parse_float=_no_float)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        # The C parser guards its recursion, so a very deep document lands here, not in a crash.
        raise Malformed(f"not JSON: {exc}") from exc
    try:
        return _dec(tree, 0, budget)
    except RecursionError as exc:
        raise TooLarge("nested deeper than the interpreter allows") from exc


def _no_constant(name: str) -> object:
    raise Malformed(f"JSON constant {name} is not part of the format")


def _no_float(text: str) -> object:
    raise Malformed("JSON numbers with a fraction are not part of the format")


def _shape(node: object, *types: type) -> list[object]:
    """The node's payload after its tag, checked for arity and each payload's exact type."""
    if type(node) is not list or len(node) != len(types) + 1:
        raise Malformed(f"a node of the wrong shape: {_preview(node)}")
    for item, expected in zip(node[1:], types, strict=True):
        if expected is not object and type(item) is not expected:
            raise Malformed(f"{node[0]!r} wants {expected.__name__}, got {type(item).__name__}")
    return node[1:]


def _preview(node: object) -> str:
    return repr(node)[:80]


def _tag(node: object) -> str:
    if type(node) is not list or not node or type(node[0]) is not str:
        raise Malformed(f"not a node: {_preview(node)}")
    return node[0]


def _dec_int_text(text: str, budget: _Budget) -> int:
    if INT_RE.fullmatch(text) is None:
        raise Malformed(f"not a decimal int: {text[:40]!r}")
    if len(text.lstrip("-")) > budget.caps.max_int_digits:
        raise TooLarge(f"an int of more than {budget.caps.max_int_digits} digits")
    try:
        return int(text)
    except ValueError as exc:  # past sys.get_int_max_str_digits()
        raise TooLarge("an int past the interpreter's digit limit") from exc


def _dec_json_int(x: object, budget: _Budget) -> int:
    if type(x) is not int:
        raise Malformed(f"wanted a JSON int, got {type(x).__name__}")
    if len(str(abs(x))) > budget.caps.max_int_digits:
        raise TooLarge(f"an int of more than {budget.caps.max_int_digits} digits")
    return x


def _dec_float_text(text: object) -> float:
    if type(text) is not str or len(text) > MAX_FLOAT_CHARS or FLOAT_RE.fullmatch(text) is None:
        raise Malformed(f"not a float literal: {_preview(text)}")
    return float(text)


def _dec_plain(node: object, budget: _Budget) -> object:
    """A plain scalar node: none, bool, int, float, complex, str, bytes."""
    budget.item()
    tag = _tag(node)
    if tag == "none":
        _shape(node)
        return None
    if tag == "bool":
        return _shape(node, bool)[0]
    if tag == "int":
        return _dec_int_text(_shape(node, str)[0], budget)
    if tag == "float":
        return _dec_float_text(_shape(node, str)[0])
    if tag == "complex":
        real, imag = _shape(node, str, str)
        return complex(_dec_float_text(real), _dec_float_text(imag))
    if tag == "str":
        return _shape(node, str)[0]
    if tag == "bytes":
        try:
            return base64.b64decode(_shape(node, str)[0], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Malformed("bad base64") from exc
    raise Malformed(f"not a plain scalar tag: {tag!r}")


PLAIN_TAGS = frozenset(("none", "bool", "int", "float", "complex", "str", "bytes"))
COLLECTIONS = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


def _dec(node: object, depth: int, budget: _Budget) -> object:
    tag = _tag(node)
    if tag in PLAIN_TAGS:
        return _dec_plain(node, budget)
    budget.item()
    if tag in COLLECTIONS:
        (items,) = _shape(node, list)
        inner = budget.enter(depth + 1)
        try:
            return COLLECTIONS[tag](_dec(x, inner, budget) for x in items)
        except TypeError as exc:  # an unhashable member of a set
            raise Malformed(f"unhashable member in a {tag}") from exc
    if tag == "dict":
        return _dec_dict(_shape(node, list)[0], budget.enter(depth + 1), budget)
    if tag in STDLIB:
        return STDLIB[tag](node, budget)
    if tag in NUMPY_TAGS:
        return _guarded(NUMPY_TAGS[tag], node, budget)
    if tag in PANDAS_TAGS:
        budget.enter(depth + 1)
        return _guarded(PANDAS_TAGS[tag], node, budget)
    if tag in PANDAS_SCALARS:
        return _guarded(PANDAS_SCALARS[tag], node, budget)
    raise Malformed(f"unknown tag {tag!r}")


def _dec_dict(pairs: list[object], depth: int, budget: _Budget) -> dict[object, object]:
    out: dict[object, object] = {}
    for pair in pairs:
        if type(pair) is not list or len(pair) != 2:
            raise Malformed("a dict entry is not a [key, value] pair")
        key = _dec(pair[0], depth, budget)
        try:
            out[key] = _dec(pair[1], depth, budget)
        except TypeError as exc:
            raise Malformed("an unhashable dict key") from exc
    return out


def _guarded(fn: object, node: object, budget: _Budget) -> object:
    """numpy and pandas raise all manner of errors on hostile input; each one is Malformed."""
    try:
        return fn(node, budget)
    except BoundaryError:
        raise
    except Exception as exc:
        raise Malformed(f"{node[0]}: {type(exc).__name__}: {exc}") from exc


def _dec_iso(node: object, kind: type, limit: int) -> object:
    """A date or datetime from its ISO text, refused past ``limit`` characters before parsing."""
    text = _shape(node, str)[0]
    try:
        if len(text) > limit:
            raise ValueError("too long")
        return kind.fromisoformat(text)  # type: ignore[attr-defined]
    except ValueError as exc:
        raise Malformed(f"not an ISO {kind.__name__}: {text[:limit]!r}") from exc


def _dec_date(node: object, budget: _Budget) -> object:
    return _dec_iso(node, datetime.date, 40)


def _dec_datetime(node: object, budget: _Budget) -> object:
    return _dec_iso(node, datetime.datetime, 80)


def _dec_timedelta(node: object, budget: _Budget) -> datetime.timedelta:
    days, seconds, micros = (_dec_json_int(x, budget) for x in _shape(node, int, int, int))
    try:
        return datetime.timedelta(days=days, seconds=seconds, microseconds=micros)
    except OverflowError as exc:
        raise Malformed("a timedelta out of range") from exc


def _dec_range(node: object, budget: _Budget) -> range:
    start, stop, step = (_dec_json_int(x, budget) for x in _shape(node, int, int, int))
    if step == 0:
        raise Malformed("a range with step 0")
    return range(start, stop, step)


STDLIB = {"date": _dec_date, "datetime": _dec_datetime, "timedelta": _dec_timedelta, "range": _dec_range}


# ---------------------------------------------------------------------------------------------
# numpy, decoding side


def _read_npy(text: object, budget: _Budget) -> object:
    """A fresh ndarray from base64 npy bytes, read by hand so a lying header allocates nothing."""
    import numpy as np

    if type(text) is not str:
        raise Malformed("npy payload is not a string")
    raw = base64.b64decode(text, validate=True)
    buf = io.BytesIO(raw)
    version = np.lib.format.read_magic(buf)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(buf)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(buf)
    else:
        raise Malformed(f"npy version {version} is not carried")
    if not _plain_dtype(dtype):
        raise Malformed(f"npy dtype {dtype} is not carried")
    if type(shape) is not tuple or len(shape) > MAX_NDIM or any(type(n) is not int or n < 0 for n in shape):
        raise Malformed(f"npy shape {shape!r}")
    body = raw[buf.tell() :]
    if math.prod(shape) * dtype.itemsize != len(body):
        raise Malformed("npy body does not match its header")
    if not body:
        return np.empty(shape, dtype=dtype)
    order = "F" if fortran else "C"
    return np.frombuffer(body, dtype=dtype).reshape(shape, order=order).copy(order="K")


def _checked_array(arr: object) -> object:
    import numpy as np

    if type(arr) is not np.ndarray or not _plain_dtype(arr.dtype):
        raise Malformed("not a plain ndarray")
    return arr


def _dec_ndarray(node: object, budget: _Budget) -> object:
    return _checked_array(_read_npy(_shape(node, str)[0], budget))


def _dec_npscalar(node: object, budget: _Budget) -> object:
    import numpy as np

    arr = _checked_array(_read_npy(_shape(node, str)[0], budget))
    if arr.ndim != 0:
        raise Malformed("npscalar is not 0-d")
    value = arr[()]
    if type(value) not in _numpy_scalar_types(np):
        raise Malformed(f"npscalar of type {type_name(value)}")
    return value


def _dec_objarray(node: object, budget: _Budget) -> object:
    import numpy as np

    shape, elements = _shape(node, list, list)
    if len(shape) > MAX_NDIM or any(type(n) is not int or n < 0 for n in shape):
        raise Malformed(f"objarray shape {_preview(shape)}")
    if math.prod(shape) != len(elements):
        raise Malformed("objarray shape does not match its elements")
    flat = np.empty(len(elements), dtype=object)
    for i, element in enumerate(elements):
        flat[i] = _dec_plain(element, budget)
    return flat.reshape(shape)


NUMPY_TAGS = {"ndarray": _dec_ndarray, "npscalar": _dec_npscalar, "objarray": _dec_objarray}


# ---------------------------------------------------------------------------------------------
# pandas, decoding side


def _check_dtype_name(name: object) -> str:
    import numpy as np

    if type(name) is not str or len(name) > 40:
        raise Malformed(f"dtype {_preview(name)}")
    if name in PANDAS_STRINGS or name == "category":
        return name
    try:
        dtype = np.dtype(name)
    except (TypeError, ValueError) as exc:
        raise Malformed(f"dtype {name!r}") from exc
    if not (_plain_dtype(dtype) or dtype.kind == "O"):
        raise Malformed(f"dtype {name!r} is not carried")
    return name


def _dec_values(node: object, dtype: str, budget: _Budget) -> object:
    """An ndarray, object array or Categorical, as the declared dtype wants."""
    budget.item()
    tag = _tag(node)
    if dtype == "category":
        if tag != "categorical":
            raise Malformed("a category dtype without categorical values")
        return _dec_categorical(node, budget)
    # The values must already be of the declared dtype: pandas would cast them silently.
    if tag == "ndarray" and dtype not in ("object", *PANDAS_STRINGS):
        return _same_dtype(_dec_ndarray(node, budget), dtype)
    if tag == "objarray" and dtype in ("object", *PANDAS_STRINGS):
        return _dec_objarray(node, budget)
    raise Malformed(f"values node {tag!r} for dtype {dtype!r}")


def _dec_categorical(node: object, budget: _Budget) -> object:
    import pandas as pd

    codes_node, categories_node, ordered = _shape(node, list, list, bool)
    budget.item()
    if _tag(codes_node) != "ndarray":
        raise Malformed("categorical codes are not an ndarray node")
    codes = _dec_ndarray(codes_node, budget)
    if codes.dtype.kind != "i" or codes.ndim != 1:
        raise Malformed("categorical codes are not 1-d ints")
    categories = _dec_index(categories_node, budget)
    return pd.Categorical.from_codes(codes, categories=categories, ordered=ordered)


def _as_dtype(values: object, dtype: str, index: object = None, name: object = None) -> object:
    """A Series of the declared dtype; object arrays are never left to pandas' inference."""
    import pandas as pd

    if dtype == "category":
        return pd.Series(values, index=index, name=name)
    if dtype in PANDAS_STRINGS:
        return pd.Series(values, index=index, name=name, dtype=object).astype(dtype)
    return pd.Series(values, index=index, name=name, dtype=dtype)


def _same_dtype(obj: object, dtype: str) -> object:
    if str(obj.dtype) != dtype:
        raise Malformed(f"declared dtype {dtype!r}, values are {obj.dtype}")
    return obj


def _dec_index(node: object, budget: _Budget) -> object:
    import pandas as pd

    budget.item()
    tag = _tag(node)
    if tag == "rangeindex":
        start, stop, step, name = _shape(node, int, int, int, list)
        if step == 0:
            raise Malformed("a range index with step 0")
        return pd.RangeIndex(start, stop, step, name=_dec_plain(name, budget))
    if tag == "index":
        values, name, dtype = _shape(node, list, list, str)
        dtype = _check_dtype_name(dtype)
        series = _as_dtype(_dec_values(values, dtype, budget), dtype)
        index = pd.Index(series, dtype=series.dtype, name=_dec_plain(name, budget))
        return _same_dtype(index, dtype)
    if tag == "multiindex":
        levels, names = _shape(node, list, list)
        if not levels or len(levels) != len(names):
            raise Malformed("a multiindex needs as many names as levels")
        arrays = [_dec_index(level, budget) for level in levels]
        return pd.MultiIndex.from_arrays(arrays, names=[_dec_plain(n, budget) for n in names])
    raise Malformed(f"index node {tag!r}")


def _dec_series(node: object, budget: _Budget) -> object:
    values, index, name, dtype = _shape(node, list, list, list, str)
    dtype = _check_dtype_name(dtype)
    index = _dec_index(index, budget)
    series = _as_dtype(_dec_values(values, dtype, budget), dtype, index, _dec_plain(name, budget))
    return _same_dtype(series, dtype)


def _dec_frame(node: object, budget: _Budget) -> object:
    import pandas as pd

    index_node, columns_node, values, dtypes = _shape(node, list, list, list, list)
    index, columns = _dec_index(index_node, budget), _dec_index(columns_node, budget)
    if len(values) != len(dtypes) or len(values) != len(columns):
        raise Malformed("a dataframe needs one values node and one dtype per column")
    parts = {}
    for i, (column, dtype) in enumerate(zip(values, dtypes, strict=True)):
        dtype = _check_dtype_name(dtype)
        part = _as_dtype(_dec_values(column, dtype, budget), dtype, pd.RangeIndex(len(index)))
        parts[i] = _same_dtype(part, dtype)
    frame = pd.DataFrame(parts, index=pd.RangeIndex(len(index))) if parts else pd.DataFrame(index=index)
    frame.index, frame.columns = index, columns
    return frame


def _dec_index_value(node: object, budget: _Budget) -> object:
    return _dec_index(node, budget)


def _dec_categorical_value(node: object, budget: _Budget) -> object:
    return _dec_categorical(node, budget)


def _dec_timestamp(node: object, budget: _Budget) -> object:
    import pandas as pd

    return pd.Timestamp(_dec_json_int(_shape(node, int)[0], budget), unit="ns")


def _dec_timedelta64ns(node: object, budget: _Budget) -> object:
    import pandas as pd

    return pd.Timedelta(_dec_json_int(_shape(node, int)[0], budget), unit="ns")


def _dec_singleton(node: object, budget: _Budget) -> object:
    import pandas as pd

    _shape(node)
    return pd.NaT if node[0] == "nat" else pd.NA


PANDAS_TAGS = {
    "series": _dec_series,
    "dataframe": _dec_frame,
    "categorical": _dec_categorical_value,
    "rangeindex": _dec_index_value,
    "index": _dec_index_value,
    "multiindex": _dec_index_value,
}
PANDAS_SCALARS = {
    "timestamp": _dec_timestamp,
    "timedelta64ns": _dec_timedelta64ns,
    "nat": _dec_singleton,
    "na": _dec_singleton,
}
