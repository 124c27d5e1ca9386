"""``save`` / ``load``: checkpoints in the safetensors format.

Tensors (and NumPy arrays) become safetensors entries; everything around
them (dicts, lists, tuples, ints, floats, strings, bools, None) is JSON in
the header's ``__metadata__``, so a file can hold a tensor, a ``state_dict``,
an optimizer's ``state_dict`` or a whole training checkpoint, and loading it
never runs code.

Any other object (a whole ``Module``, an optimizer) is saved as
``torch.save`` saves it, by Python pickling, with its tensors still stored
as safetensors entries. ``load`` refuses such a file unless
``weights_only=False`` (PyTorch's default since 2.6): unpickling can run
arbitrary code, so only do that with files you trust.
"""
from __future__ import annotations

import base64
import collections
import io
import json
import numbers
import os
import pickle

from . import backend, safetensors_io
from .safetensors_io import MAX_HEADER, read_header  # noqa: F401  (public names of this module)
from .tensor import Tensor

__all__ = ["save", "load", "WeightsOnlyError"]

#: ``__metadata__`` key holding the JSON structure of the saved object.
STRUCTURE_KEY = "xpgrad.structure"
#: ``__metadata__`` key holding the pickled object (files of :func:`save` with Python objects).
PICKLE_KEY = "xpgrad.pickle"
FORMAT_KEY = "format"
_PROTOCOL = 4


class WeightsOnlyError(pickle.UnpicklingError, ValueError):
    """``ag.load`` refused a file that holds pickled Python objects (``weights_only=True``)."""


class _NeedsPickle(Exception):
    """Raised inside the JSON encoder: the object is not plain data."""


# ---------------------------------------------------------------- save
def save(obj, f):
    """Save ``obj`` to ``f``, as ``torch.save`` (in the safetensors format).

    Args:
        obj: a Tensor, NumPy array or Python number, or dicts / lists /
            tuples of them (a ``state_dict``, a checkpoint), saved without
            pickle. Any other object (a ``Module``, an optimizer) is pickled
            around its tensors: :func:`load` then needs ``weights_only=False``.
        f: a path (str or ``os.PathLike``) or a binary file object (``BytesIO``,
            an open file) to write to.

    A path is written atomically: to a temporary file next to it, flushed to
    disk, then renamed over ``f``, so an interrupted save leaves the previous
    file intact; a symlink is written through and the file's permissions
    follow the umask (or stay those of the file replaced), as ``open()``.

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
    arrays, names = {}, {}
    try:
        structure = _encode(obj, (), arrays, names)
        metadata = {FORMAT_KEY: "xpgrad", STRUCTURE_KEY: json.dumps(structure, allow_nan=True)}
    except _NeedsPickle:
        arrays, names = {}, {}
        buf = io.BytesIO()
        _Pickler(buf, arrays, names).dump(obj)
        metadata = {FORMAT_KEY: "xpgrad", PICKLE_KEY: base64.b64encode(buf.getvalue()).decode()}
    chunks = safetensors_io.encode(arrays, metadata)
    if hasattr(f, "write"):
        _write_bytes(f, chunks)
        return
    if not isinstance(f, (str, bytes, os.PathLike)):
        raise TypeError(f"ag.save expects a path or a writable binary file object, got {type(f).__name__}")
    safetensors_io.atomic_write(os.fsencode(f).decode(errors="surrogateescape") if isinstance(f, bytes)
                                else os.fspath(f), chunks, _write_bytes)


def _write_bytes(fh, chunks):
    """Write the file's chunks to an open file (the step an interrupted save stops in)."""
    safetensors_io.write_bytes(fh, chunks)


def _entry_name(path, arrays):
    name = ".".join(str(p) for p in path) or "tensor"
    if name == "__metadata__" or name in arrays:
        i = 1
        while f"{name}#{i}" in arrays:
            i += 1
        name = f"{name}#{i}"
    return name


def _store(obj, path, arrays, names):
    """The entry name of a Tensor or array (stored once per object)."""
    name = names.get(id(obj))
    if name is None:
        name = names[id(obj)] = _entry_name(path, arrays)
        arrays[name] = backend.host_contiguous(obj._data if isinstance(obj, Tensor) else obj)
    return name


def _encode(obj, path, arrays, names):
    """The JSON form of ``obj``; tensors go to ``arrays`` and become ``{"$t": name}``."""
    if isinstance(obj, Tensor):
        parameter = _is_parameter(type(obj))
        if type(obj) is not Tensor and not parameter:  # another subclass: keep its class (pickle)
            raise _NeedsPickle
        node = {"$t": _store(obj, path, arrays, names)}
        if obj.requires_grad:
            node["rg"] = True
        if parameter:
            node["p"] = True
        return node
    if backend.is_array(obj):
        return {"$a": _store(obj, path, arrays, names)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return _scalar(obj)
    if isinstance(obj, dict):
        kind = _MAPPINGS.get(type(obj))
        if kind is None:
            raise _NeedsPickle
        items = []
        for k, v in obj.items():
            if not (k is None or isinstance(k, (bool, int, float, str))):
                raise _NeedsPickle
            items.append([_scalar(k), _encode(v, path + (k,), arrays, names)])
        return {"$d": items, "type": kind} if kind != "dict" else {"$d": items}
    if isinstance(obj, tuple):  # named tuples are saved as plain tuples
        return {"$tuple": [_encode(v, path + (i,), arrays, names) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, path + (i,), arrays, names) for i, v in enumerate(obj)]
    if isinstance(obj, numbers.Integral):  # NumPy scalars and the like
        return int(obj)
    if isinstance(obj, numbers.Real):
        return float(obj)
    raise _NeedsPickle


def _is_parameter(cls):
    return cls.__name__ == "Parameter" and cls.__module__ == "nn.parameter"


#: dict types saved as data (``state_dict()`` returns an OrderedDict, ``MultiStepLR`` keeps a Counter)
_MAPPINGS = {dict: "dict", collections.OrderedDict: "OrderedDict", collections.Counter: "Counter"}
_MAPPING_TYPES = {v: k for k, v in _MAPPINGS.items()}


def _scalar(v):
    # bool is an int subclass and JSON keeps them apart; exact int/float types only
    if v is None or type(v) in (bool, int, float, str):
        return v
    for t in (bool, int, float, str):
        if isinstance(v, t):
            return t(v)
    raise _NeedsPickle


class _Pickler(pickle.Pickler):
    """Pickles an object, its Tensors and arrays going to safetensors entries instead."""

    def __init__(self, file, arrays, names):
        super().__init__(file, protocol=_PROTOCOL)
        self._arrays, self._names = arrays, names

    def persistent_id(self, obj):
        if isinstance(obj, Tensor):
            name = _store(obj, ("tensor",), self._arrays, self._names)
            cls = type(obj)
            return ("t", name, bool(obj.requires_grad), cls.__module__, cls.__qualname__)
        if backend.is_array(obj):
            return ("a", _store(obj, ("array",), self._arrays, self._names))
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, entries):
        super().__init__(file)
        self._entries, self._made = entries, {}

    def persistent_load(self, pid):
        if pid[0] == "a":
            return self._entries.array(pid[1])
        _, name, requires_grad, module, qualname = pid
        if name not in self._made:
            t = self._entries.tensor(name)
            cls = self.find_class(module, qualname)
            if cls is not Tensor:
                t = cls(t, requires_grad=requires_grad)
            elif requires_grad:
                t.requires_grad_(True)
            self._made[name] = t
        return self._made[name]


# ---------------------------------------------------------------- load
def load(f, map_location=None, *, weights_only=None, mmap=None):
    """Load what :func:`save` wrote, or any safetensors file (e.g. from PyTorch).

    Args:
        f: a path (str or ``os.PathLike``) or a binary file object to read.
        map_location: the device for the tensors (``"cpu"``, ``"cuda:0"``, an
            ``ag.device``); default ``"cpu"``.
        weights_only (bool): ``True`` (the default, as PyTorch since 2.6)
            refuses a file that holds pickled Python objects (a whole Module
            saved with :func:`save`); ``False`` unpickles it. Only pass
            ``False`` for files you trust: unpickling can run arbitrary code.
        mmap: accepted for PyTorch compatibility; files are always read
            into memory (never mapped).

    The file is read once, through one descriptor, into memory the result
    owns: a concurrent :func:`save` (an atomic rename) gives the old or the
    new checkpoint, and a file rewritten in place while it is read raises
    ``ValueError`` rather than mixing versions.

    Returns:
        The saved object with the same structure (dict key types, lists vs
        tuples; NumPy arrays come back as NumPy arrays). A file written by
        another program (``safetensors.torch.save_file``) comes back as a
        flat ``{name: Tensor}`` dict with its names unchanged. bfloat16
        entries are widened to float32 (NumPy has no bfloat16); float8 and
        complex entries raise ``ValueError``.

    Raises:
        ValueError: the file is not a valid safetensors file (a pickle file,
            truncated, a header that is not JSON or lies about sizes, dtypes
            or offsets). Nothing in the file is executed, whatever it holds.
        WeightsOnlyError: (a ``pickle.UnpicklingError`` and a ``ValueError``)
            the file holds Python objects and ``weights_only`` is not False.
    """
    device = backend.Device(map_location) if map_location is not None else backend.Device("cpu")

    def check(meta):
        if weights_only is not False and meta.get(FORMAT_KEY) == "xpgrad" and PICKLE_KEY in meta:
            raise _refusal(where)

    if hasattr(f, "read"):
        where = str(getattr(f, "name", None) or f"<{type(f).__name__}>")
        header, meta, arrays = safetensors_io.read(f, where, check)
    else:
        if not isinstance(f, (str, bytes, os.PathLike)):
            raise TypeError("ag.load expects a path or a readable binary file object, "
                            f"got {type(f).__name__}")
        where = os.fsdecode(f)
        with open(f, "rb") as fh:
            header, meta, arrays = safetensors_io.read(fh, where, check)
    entries = _Entries(arrays, device)
    ours = meta.get(FORMAT_KEY) == "xpgrad"
    if ours and PICKLE_KEY in meta:
        try:
            raw = base64.b64decode(meta[PICKLE_KEY], validate=True)
        except ValueError as e:
            raise ValueError(f"{where}: the metadata entry {PICKLE_KEY!r} is not base64 ({e})") from None
        return _Unpickler(io.BytesIO(raw), entries).load()
    if not (ours and STRUCTURE_KEY in meta):
        return {k: entries.tensor(k) for k in header}
    try:
        structure = safetensors_io.parse_json(meta[STRUCTURE_KEY], where,
                                              f"the metadata entry {STRUCTURE_KEY!r}")
        return _decode(structure, entries)
    except RecursionError:
        raise ValueError(f"{where}: the {STRUCTURE_KEY!r} metadata is nested too deeply") from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise ValueError(f"{where}: malformed {STRUCTURE_KEY!r} metadata: {e}") from None


def _refusal(where):
    return WeightsOnlyError(
        f"{where} holds pickled Python objects (a whole Module, optimizer or other object saved by "
        "ag.save), not only tensors and plain data. ag.load refuses it with weights_only=True, the "
        "default, because unpickling can run arbitrary code. Load it with ag.load(f, weights_only=False) "
        "only if you trust the file's source; better, save and load model.state_dict().")


class _Entries:
    """The file's entries, each made a Tensor (on ``device``) or left a host array on first use."""

    def __init__(self, arrays, device):
        self._arrays, self._device, self._tensors = arrays, device, {}

    def _get(self, name, what):
        if name not in self._arrays:
            raise KeyError(f"it refers to {what} {name!r} that the file does not hold")
        return self._arrays[name]

    def array(self, name):
        return self._get(name, "an array")

    def parameter(self, name):
        """The entry as one ``nn.Parameter`` (however often the file refers to it)."""
        key = ("parameter", name)
        p = self._tensors.get(key)
        if p is None:
            from nn.parameter import Parameter

            t = self.tensor(name)
            p = self._tensors[key] = Parameter(t, requires_grad=t.requires_grad)
        return p

    def tensor(self, name):
        t = self._tensors.get(name)
        if t is None:
            a = self._get(name, "a tensor")
            t = self._tensors[name] = Tensor._make(backend.asarray(a, device=self._device), self._device)
        return t


def _decode(node, entries):
    if isinstance(node, list):
        return [_decode(v, entries) for v in node]
    if not isinstance(node, dict):
        return node
    if "$t" in node:
        name = node["$t"]
        t = entries.tensor(name)
        if node.get("rg") and not t.requires_grad:
            if not backend.is_floating(t.dtype):
                raise ValueError(f"tensor {name!r} of dtype {t.dtype} is marked requires_grad, but only "
                                 "floating-point tensors can require gradients")
            t.requires_grad_(True)
        return entries.parameter(name) if node.get("p") else t
    if "$a" in node:
        return entries.array(node["$a"])
    if "$d" in node:
        out = _MAPPING_TYPES[node.get("type", "dict")]()
        for k, v in node["$d"]:
            if isinstance(k, (dict, list)):
                raise TypeError(f"a dict key must be a scalar, got {type(k).__name__}")
            out[k] = _decode(v, entries)
        return out
    if "$tuple" in node:
        return tuple(_decode(v, entries) for v in node["$tuple"])
    raise ValueError(f"unknown node with keys {sorted(node)[:5]}")


# ---------------------------------------------------------------- pickling one tensor
def reduce_tensor(t):
    """``Tensor.__reduce_ex__``: the values (as a host array), device and ``requires_grad``, as
    PyTorch's pickling; the graph does not cross (a non-leaf comes back as a leaf) and ``.grad``
    is not kept."""
    return _rebuild_tensor, (backend.to_host(t._data), str(t.device), bool(t.requires_grad), type(t))


def _rebuild_tensor(array, device, requires_grad, cls):
    from .creation import tensor

    t = tensor(array, device=device)
    if cls is not Tensor:
        return cls(t, requires_grad=requires_grad)
    return t.requires_grad_(requires_grad) if requires_grad else t
