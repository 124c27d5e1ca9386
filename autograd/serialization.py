"""``save`` / ``load``: checkpoints in the safetensors format, never pickle.

Tensors become safetensors entries; everything around them (dicts, lists,
tuples, ints, floats, strings, bools, None) is JSON in the header's
``__metadata__``, so a file can hold a tensor, a ``state_dict``, an
optimizer's ``state_dict`` or a whole training checkpoint. Loading parses
and checks the header before any tensor data is touched, and nothing in a
file is ever executed: a pickle file, a truncated file or a malformed header
raises a ``ValueError`` that says what is wrong.
"""
from __future__ import annotations

import json
import numbers
import os
import struct
import tempfile

from . import backend
from .tensor import Tensor

__all__ = ["save", "load"]

#: ``__metadata__`` key holding the JSON structure of the saved object.
STRUCTURE_KEY = "xpgrad.structure"
FORMAT_KEY = "format"
#: safetensors' own limit on the header size.
MAX_HEADER = 100 * 1024 * 1024
_ITEMSIZE = {
    "BOOL": 1, "U8": 1, "I8": 1, "U16": 2, "I16": 2, "F16": 2, "BF16": 2, "U32": 4, "I32": 4,
    "F32": 4, "U64": 8, "I64": 8, "F64": 8,
}
_UNSUPPORTED = {"F8_E4M3": 1, "F8_E5M2": 1, "C64": 8, "F8_E8M0": 1, "F4": 1, "F6_E2M3": 1, "F6_E3M2": 1}
_CHUNK = 1 << 20


# ---------------------------------------------------------------- save
def save(obj, f):
    """Save a tensor, a ``state_dict`` or a nested checkpoint to ``f`` (safetensors).

    The file is written atomically: to a temporary file in the same directory,
    flushed to disk, then renamed over ``f``, so an interrupted save leaves
    the previous file intact.

    Args:
        obj: a Tensor, or dicts / lists / tuples holding Tensors and plain
            Python values (int, float, str, bool, None). Dict keys may be
            str, int, float, bool or None and keep their type.
        f (str or os.PathLike): the file to write.

    A flat ``{str: Tensor}`` dict keeps its keys as the safetensors names, so
    ``safetensors.torch.load_file`` reads it as a PyTorch ``state_dict``.
    Tensors are stored on the host; the same Tensor object saved twice is
    stored once and comes back as one Tensor.

    Example::

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
        >>> ag.save({"w": ag.ones(2), "step": 3}, path)
        >>> ag.load(path)
        {'w': tensor([1., 1.]), 'step': 3}
    """
    safetensors = _safetensors()
    arrays = {}
    names = {}  # id(tensor) -> entry name
    structure = _encode(obj, (), arrays, names)
    metadata = {FORMAT_KEY: "xpgrad", STRUCTURE_KEY: json.dumps(structure, allow_nan=True)}
    data = safetensors.numpy.save(arrays, metadata=metadata)
    _atomic_write(os.fspath(f), data)


def _safetensors():
    """The ``safetensors`` package (an optional dependency: the ``io`` extra)."""
    try:
        import safetensors
        import safetensors.numpy  # noqa: F401
    except ImportError as e:
        raise ImportError("ag.save / ag.load need the safetensors package: pip install \"xpgrad[io]\" "
                          "(or pip install safetensors)") from e
    return safetensors


def _entry_name(path, arrays):
    name = ".".join(str(p) for p in path) or "tensor"
    if name == "__metadata__" or name in arrays:
        i = 1
        while f"{name}#{i}" in arrays:
            i += 1
        name = f"{name}#{i}"
    return name


def _encode(obj, path, arrays, names):
    """The JSON form of ``obj``; tensors go to ``arrays`` and become ``{"$t": name}``."""
    if isinstance(obj, Tensor):
        name = names.get(id(obj))
        if name is None:
            name = names[id(obj)] = _entry_name(path, arrays)
            arrays[name] = backend.host_contiguous(obj._data)
        return {"$t": name, "rg": True} if obj.requires_grad else {"$t": name}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return _scalar(obj, path)
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not (k is None or isinstance(k, (bool, int, float, str))):
                raise TypeError(f"ag.save: dict key {k!r} at {_where(path)} has type "
                                f"{type(k).__name__}; keys must be str, int, float, bool or None")
            items.append([_scalar(k, path), _encode(v, path + (k,), arrays, names)])
        return {"$d": items}
    if isinstance(obj, tuple):  # named tuples are saved as plain tuples
        return {"$tuple": [_encode(v, path + (i,), arrays, names) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, path + (i,), arrays, names) for i, v in enumerate(obj)]
    if isinstance(obj, numbers.Integral):  # NumPy scalars and the like
        return int(obj)
    if isinstance(obj, numbers.Real):
        return float(obj)
    if backend.is_array(obj):
        raise TypeError(f"ag.save: a {type(obj).__name__} at {_where(path)}: wrap arrays in "
                        "ag.tensor(...) (only Tensors and plain Python values are saved)")
    hint = " (save its state_dict() instead)" if callable(getattr(obj, "state_dict", None)) else ""
    raise TypeError(f"ag.save cannot store a {type(obj).__name__} (at {_where(path)}){hint}; it saves "
                    "Tensors, dicts, lists, tuples, int, float, str, bool and None, never pickle")


def _scalar(v, path):
    # bool is an int subclass and JSON keeps them apart; exact int/float types only
    if v is None or type(v) in (bool, int, float, str):
        return v
    for t in (bool, int, float, str):
        if isinstance(v, t):
            return t(v)
    raise TypeError(f"ag.save: unsupported value {v!r} at {_where(path)}")


def _where(path):
    return "the top level" if not path else "key " + ".".join(str(p) for p in path)


def _write_bytes(fh, data):
    """Write ``data`` to an open file in chunks (the step an interrupted save stops in)."""
    view = memoryview(data)
    for i in range(0, len(view), _CHUNK):
        fh.write(view[i:i + _CHUNK])


def _atomic_write(path, data):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_bytes(fh, data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable (POSIX; best effort elsewhere)
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


# ---------------------------------------------------------------- load
def load(f, map_location=None):
    """Load what :func:`save` wrote, or any safetensors file (e.g. from PyTorch).

    Args:
        f (str or os.PathLike): the file to read.
        map_location: the device for the tensors (``"cpu"``, ``"cuda:0"``, an
            ``ag.device``); default ``"cpu"``.

    Returns:
        The saved object with the same structure (dict key types, lists vs
        tuples). A file written by another program (``safetensors.torch.save_file``)
        comes back as a flat ``{name: Tensor}`` dict with its names unchanged.
        bfloat16 entries are widened to float32 (NumPy has no bfloat16);
        float8 and complex entries raise ``ValueError``.

    Raises:
        ValueError: the file is not a valid safetensors file (a pickle file,
            truncated, a header that is not JSON or lies about sizes, dtypes
            or offsets). Nothing in the file is executed, whatever it holds.
    """
    safe_open = _safetensors().safe_open
    path = os.fspath(f)
    device = backend.Device(map_location) if map_location is not None else backend.Device("cpu")
    header, meta, data_start = read_header(path)
    ours = meta.get(FORMAT_KEY) == "xpgrad" and STRUCTURE_KEY in meta
    if ours:
        try:
            structure = json.loads(meta[STRUCTURE_KEY])
        except (ValueError, RecursionError) as e:
            raise ValueError(
                f"{path}: the metadata entry {STRUCTURE_KEY!r} is not valid JSON ({e})") from None
    arrays = {}
    plain = [k for k, v in header.items() if v["dtype"] != "BF16"]
    if plain:
        try:
            with safe_open(path, framework="numpy") as fh:
                for k in plain:  # the shape from the header: 0-d entries come back as (1,)
                    arrays[k] = fh.get_tensor(k).reshape(tuple(header[k]["shape"]))
        except Exception as e:  # the library's own checks, after ours
            raise ValueError(f"{path}: not a valid safetensors file: {e}") from None
    if len(plain) != len(header):
        with open(path, "rb") as fh:
            for k, v in header.items():
                if v["dtype"] == "BF16":
                    begin, end = v["data_offsets"]
                    fh.seek(data_start + begin)
                    arrays[k] = backend.bfloat16_to_float32(fh.read(end - begin), v["shape"])
    tensors = {k: Tensor._make(backend.asarray(a, device=device, copy=True), device)
               for k, a in arrays.items()}
    if not ours:
        return {k: tensors[k] for k in header}
    try:
        return _decode(structure, tensors)
    except RecursionError:
        raise ValueError(f"{path}: the saved structure is nested too deeply") from None
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise ValueError(f"{path}: malformed {STRUCTURE_KEY!r} metadata: {e}") from None


def _decode(node, tensors):
    if isinstance(node, list):
        return [_decode(v, tensors) for v in node]
    if not isinstance(node, dict):
        return node
    if "$t" in node:
        name = node["$t"]
        if name not in tensors:
            raise KeyError(f"it refers to a tensor {name!r} that the file does not hold")
        t = tensors[name]
        if node.get("rg") and not t.requires_grad:
            t.requires_grad_(True)
        return t
    if "$d" in node:
        out = {}
        for k, v in node["$d"]:
            if isinstance(k, (dict, list)):
                raise TypeError(f"a dict key must be a scalar, got {type(k).__name__}")
            out[k] = _decode(v, tensors)
        return out
    if "$tuple" in node:
        return tuple(_decode(v, tensors) for v in node["$tuple"])
    raise ValueError(f"unknown node with keys {sorted(node)[:5]}")


def read_header(path):
    """Parse and check the header of the safetensors file at ``path``.

    Checks, before reading any tensor data: the 8-byte header length against
    the file size, that the header is a JSON object, each entry's dtype,
    shape and ``data_offsets`` (sizes match, inside the file, no overlaps or
    gaps), and that ``__metadata__`` maps strings to strings.

    Returns:
        ``(entries, metadata, data_start)``: the entries in file order, the
        metadata dict and the file offset where tensor data begins.
    """
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        head = fh.read(8)
        _check_not_pickle(path, head)
        if size < 8:
            raise ValueError(f"{path}: not a safetensors file: {size} bytes is shorter than the "
                             "8-byte header length (truncated or empty file)")
        (n,) = struct.unpack("<Q", head)
        if n > size - 8:
            raise ValueError(f"{path}: not a valid safetensors file: the header claims {n} bytes but "
                             f"the file has only {size - 8} after the length field (truncated file, corrupt "
                             "header length, or not a safetensors file at all)")
        if n > MAX_HEADER:
            raise ValueError(f"{path}: safetensors header of {n} bytes exceeds the {MAX_HEADER}-byte limit")
        if n < 2:
            raise ValueError(f"{path}: not a valid safetensors file: header length {n} is too small")
        raw = fh.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ValueError(
            f"{path}: not a valid safetensors file: the header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path}: not a valid safetensors file: the header is a JSON "
                         f"{type(header).__name__}, expected an object")
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                             for k, v in meta.items()):
        raise ValueError(f"{path}: invalid safetensors header: __metadata__ must map strings to strings")
    data_len = size - 8 - n
    spans = []
    for name, info in header.items():
        spans.append(_check_entry(path, name, info, data_len))
    spans.sort()
    pos = 0
    for begin, end, name in spans:
        if begin < pos:
            raise ValueError(f"{path}: invalid safetensors header: the data of {name!r} "
                             f"(bytes {begin}..{end}) overlaps another tensor's")
        if begin > pos:
            raise ValueError(f"{path}: invalid safetensors header: a gap of {begin - pos} bytes "
                             f"before tensor {name!r}")
        pos = end
    if pos != data_len:
        raise ValueError(f"{path}: invalid safetensors file: {data_len - pos} bytes after the last "
                         "tensor's data (the offsets do not cover the data section)")
    return header, meta, 8 + n


def _check_entry(path, name, info, data_len):
    where = f"{path}: invalid safetensors header: tensor {name!r}"
    if not isinstance(info, dict):
        raise ValueError(f"{where} is described by a {type(info).__name__}, expected an object")
    dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in _ITEMSIZE:
        if dtype in _UNSUPPORTED:
            raise ValueError(f"{where} has dtype {dtype}, which xpgrad cannot hold (NumPy has no such "
                             "type); convert it before saving")
        known = ", ".join(_ITEMSIZE)
        raise ValueError(f"{where} has unknown dtype {dtype!r} (expected one of {known})")
    if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
        raise ValueError(f"{where} has invalid shape {shape!r} (expected a list of non-negative ints)")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(type(o) is int and o >= 0 for o in offsets) or offsets[0] > offsets[1]):
        raise ValueError(f"{where} has invalid data_offsets {offsets!r} (expected [begin, end] "
                         "with 0 <= begin <= end)")
    begin, end = offsets
    if end > data_len:
        raise ValueError(f"{where}: data_offsets [{begin}, {end}] run past the end of the data "
                         f"({data_len} bytes; truncated file?)")
    count = 1
    for s in shape:
        count *= s
    if count * _ITEMSIZE[dtype] != end - begin:
        raise ValueError(f"{where}: shape {shape} of {dtype} needs {count * _ITEMSIZE[dtype]} bytes "
                         f"but data_offsets [{begin}, {end}] span {end - begin}")
    return begin, end, name


def _check_not_pickle(path, head):
    if head[:2] in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05") or head[:4] == b"PK\x03\x04":
        kind = "a zip archive (torch.save's format)" if head[:2] == b"PK" else "a pickle file"
        raise ValueError(
            f"{path} is {kind}, not safetensors. ag.load never unpickles (unpickling can run "
            "arbitrary code). Convert it once in a trusted environment, e.g. "
            "safetensors.torch.save_file(torch.load(path, weights_only=True), 'model.safetensors')."
        )
