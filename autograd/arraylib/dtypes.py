"""dtypes: PyTorch's dtype names as NumPy dtypes, the default float dtype, and PyTorch's promotion."""
from __future__ import annotations

import numbers

import numpy as np

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")
#: The unsigned integer dtype of each item size: an index viewed as one reads a negative as huge.
UNSIGNED = {1: uint8, 2: np.dtype("uint16"), 4: np.dtype("uint32"), 8: np.dtype("uint64")}

_DTYPE_ALIASES = {
    "float": float32, "float32": float32, "float64": float64, "double": float64,
    "float16": float16, "half": float16, "int": int32, "int32": int32,
    "int64": int64, "long": int64, "int16": int16, "int8": int8, "uint8": uint8,
    "bool": bool_,
}
_DEFAULT = {"float": float32}


def as_dtype(dtype) -> np.dtype:
    """Normalise a dtype spelling (``ag.float32``, ``"float32"``, ``float``) to a dtype."""
    if dtype is None:
        return None
    if isinstance(dtype, np.dtype):
        return dtype
    if dtype is float:
        return float64
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    if isinstance(dtype, str) and dtype in _DTYPE_ALIASES:
        return _DTYPE_ALIASES[dtype]
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unsupported dtype {dtype!r}") from None


def get_default_dtype() -> np.dtype:
    return _DEFAULT["float"]


def set_default_dtype(dtype) -> None:
    d = as_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype expects a floating dtype, got {d}")
    _DEFAULT["float"] = d


def category(dtype) -> int:
    """0 for bool, 1 for integers, 2 for floating point (PyTorch's promotion categories)."""
    k = dtype.kind
    return 2 if k == "f" else (0 if k == "b" else 1)


def is_floating(dtype) -> bool:
    return dtype.kind == "f"


def promote_types(a, b) -> np.dtype:
    """PyTorch's ``promote_types``: a higher category wins outright."""
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def scalar_dtype(value) -> np.dtype:
    """The dtype a Python scalar takes when it decides a result's category."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, numbers.Integral):
        return int64
    if isinstance(value, numbers.Real):
        return get_default_dtype()
    raise TypeError(f"unsupported scalar operand of type {type(value).__name__}")


def result_type(dims, zero_dims, scalars) -> np.dtype:
    """PyTorch's ``result_type`` from three priority levels of operands.

    Args:
        dims: dtypes of tensors with at least one dimension.
        zero_dims: dtypes of 0-d tensors.
        scalars: Python scalars.
    """
    result = None
    for d in dims:
        result = d if result is None else promote_types(result, d)
    for level in (zero_dims, [scalar_dtype(s) for s in scalars]):
        best = None
        for d in level:
            best = d if best is None else promote_types(best, d)
        if best is None:
            continue
        if result is None or category(best) > category(result):
            if level is not zero_dims and result is not None and category(best) == 2:
                best = get_default_dtype()
            result = best
    return result


def host_scalar(value):
    """A NumPy scalar or 0-d array as a Python scalar."""
    return value.item() if hasattr(value, "item") else value


def nested_dtype(data):
    """PyTorch's dtype for nested data that holds NumPy scalars or tensors: each counts with its own dtype
    (a Python float with the default dtype, an int as int64, a bool as bool), promoted together;
    None when there are no NumPy scalars (the usual inference then applies)."""
    found, python = set(), set()
    stack = [data]
    while stack:
        for v in stack.pop():
            t = type(v)
            if t is float or t is int or t is bool:
                python.add(t)
            elif t is list or t is tuple:
                stack.append(v)
            elif isinstance(v, (np.generic, np.ndarray)):  # arrays: the tensors in the data, on the host
                found.add(v.dtype)
    if not found:
        return None
    dtype = None
    for d in [*found, *(scalar_dtype(t()) for t in python)]:
        dtype = d if dtype is None else promote_types(dtype, d)
    return dtype if dtype.kind in "biuf" else None


def scalar_as_array(value):
    """A NumPy scalar as a 0-d array (keeping its dtype); anything else as it is."""
    return np.asarray(value) if isinstance(value, np.generic) else value
