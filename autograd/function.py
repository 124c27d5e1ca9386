"""``Function``: one differentiable operation and, once applied, one graph node.

``Function.apply(*args)`` runs ``forward`` and, when grad mode is on and an
input requires grad, records the call as a node of the graph: the Function
instance itself (``ctx``), holding edges to its inputs' nodes, the arrays its
backward needs, and where in the user's code it was created.
"""
from __future__ import annotations

import itertools

from . import backend
from .grad_mode import state
from .observers import RemovableHandle as _HookHandle  # noqa: F401 (tensor_graph imports it)
from .observers import on_record
from .provenance import _NEEDS, _SHAPES, _interned, caller_site, record_site, resolve_site  # noqa: F401
from .view_tracking import register as register_view
from .function_ctx import _CtxExtras, once_differentiable, took_dirty  # noqa: F401 (torch's names)


# How a saved value comes back in backward: a record ``(kind, value, version, counter, index)``
# (a plain tuple: one is made per saved value of every recorded op), or the value itself when it
# is None or a Python number or string (``x * 0.5`` saves 0.5: no record, no allocation).
#   kind 0: an input tensor ``value``, saved at ``version``;
#   kind 1: output number ``index``, kept as its array ``value`` (so the node holds no reference
#           to its own output) with the output's version ``counter`` and the ``version`` it had;
#   kind 2: an array constant ``value``; kind 3: any other Python value ``value``.
SAVED_INPUT, SAVED_OUTPUT, SAVED_ARRAY, SAVED_OBJECT = 0, 1, 2, 3


class Function(_CtxExtras):
    """Base class for differentiable operations, as ``torch.autograd.Function``.

    Subclasses define static ``forward(ctx, *args)`` and ``backward(ctx,
    *grad_outputs)`` and are called through ``apply``. ``backward`` returns one
    gradient per forward argument (``None`` where there is none) and is written
    with Tensor operations, so that gradients are differentiable themselves.

    User-defined Functions receive Tensors in ``forward`` (run without
    recording, as in PyTorch). Built-in operations set ``raw = True`` and
    receive the backend arrays directly.

    Example::

        >>> class Cube(ag.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x ** 3
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return grad * 3 * x ** 2
        >>> x = ag.tensor([2.0], requires_grad=True)
        >>> Cube.apply(x).backward(ag.ones(1)); x.grad
        tensor([12.])
    """

    raw = False
    #: Outputs share memory with the first input (their version counter too).
    is_view = False
    needs_input_grad: tuple = ()
    _saved = None
    _edges = ()
    _non_diff = None
    _out_metas = (None,)  # one output; multi-output ops record each output's (shape, dtype)
    _hooks = None
    _retained = None
    _where = None
    _module = ""
    # ``_seq``, set on each recorded node only: its creation order (see ``_next_seq``)

    # -- ctx API ---------------------------------------------------------
    def save_for_backward(self, *values):
        """Keep inputs, outputs or other arrays/tensors for ``backward``."""
        self._saved = values

    @property
    def saved_tensors(self):
        """The saved values as Tensors; raises if the graph was freed or an input was modified in place."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (or directly access saved "
                f"tensors after they have already been freed) in {self.name()}{self.where()}. "
                "Saved intermediate values of the graph are freed when you call .backward() or "
                "autograd.grad(). Specify retain_graph=True if you need to backward through the "
                "graph a second time or if you need to access saved tensors after calling backward."
            )
        if saved.__class__ is not list:  # saved on a call made without recording
            return tuple(_as_tensor(v, self.device) for v in saved)
        return self._unpack(saved, False)

    @property
    def saved_arrays(self):
        """The saved values as backend arrays (for ``raw_backward``), checked as ``saved_tensors``."""
        saved = self._saved
        if saved.__class__ is list:  # recorded: no Tensor wrappers made
            if len(saved) == 1:  # one output record (``_pack_one_output``), still at its version
                rec = saved[0]
                if rec.__class__ is tuple and rec[0] == 1 and rec[3][0] == rec[2]:
                    return (rec[1],)
            return self._unpack(saved, True)
        return tuple(v._data if isinstance(v, Tensor) else v for v in self.saved_tensors)

    def _unpack(self, saved, arrays):
        out = []
        for rec in saved:
            if rec.__class__ is not tuple:  # None or a Python number, kept as it is
                out.append(rec)
                continue
            kind, value, version, counter, index = rec
            if kind == 0:  # an input tensor: the tensor itself, so create_graph reaches it
                v = value._version
                if (v[0] if v else 0) != version:
                    self._raise_modified(value)
                out.append(value._data if arrays else value)
            elif kind == 1:  # an output: rebuilt pointing at this node (no cycle)
                if counter[0] != version:
                    self._raise_modified(None)
                out.append(value if arrays else Tensor._make(value, self.device, self, counter, index))
            elif kind == 2 and not arrays:
                out.append(None if value is None else Tensor._make(value, self.device))
            else:
                out.append(value)
        return tuple(out)

    def mark_non_differentiable(self, *outputs):
        """Declare outputs that never receive a gradient (e.g. indices)."""
        self._non_diff = {id(o._data if isinstance(o, Tensor) else o) for o in outputs}

    def _raise_modified(self, t):
        what = "its output" if t is None else f"a tensor of shape {tuple(t.shape)}"
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: {what} saved by {self.name()}{self.where()} is at a newer "
            "version than when it was saved. Make the in-place change after backward, or use "
            "an out-of-place operation (x = x + y instead of x += y)."
        )

    # -- node API --------------------------------------------------------
    @classmethod
    def name(cls) -> str:
        """The node's name, as PyTorch's ``grad_fn`` names (``MulBackward``)."""
        return cls.__name__ + "Backward"

    @property
    def _site(self):
        """``(filename, lineno)`` of the user's code that recorded this node, or None."""
        return resolve_site(self._where)

    def where(self) -> str:
        """`` (created at file:line in module.path)`` for error messages."""
        parts = []
        site = self._site
        if site:
            parts.append(f"{site[0]}:{site[1]}")
        if self._module:
            parts.append(f"in module {self._module}")
        return f" (created at {' '.join(parts)})" if parts else ""

    @property
    def next_functions(self):
        """``((node_or_leaf, output_nr), ...)``, one per forward argument."""
        return tuple((e[0], e[1]) if e is not None else (None, 0) for e in self._edges)

    def __repr__(self):
        return f"<{self.name()}>"

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("Function subclasses must implement forward")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError(f"{ctx.name()} does not implement backward")

    #: Optional fast path, ``raw_backward(ctx, *grads)``: the same math as ``backward`` on backend
    #: arrays (incoming gradients as arrays, one array or None per forward argument returned). The
    #: engine calls it instead of ``backward`` when no graph of the backward is recorded
    #: (``create_graph=False``); ``backward`` stays the differentiable definition.
    raw_backward = None

    #: Optional, for an op whose output is a part of its one differentiable input (a slice):
    #: ``raw_scatter(ctx, out, grad)`` adds ``grad`` (an array) into ``out`` (an array of the
    #: input's shape) where the forward took the part from. The engine then accumulates the
    #: gradients of several slices of one tensor in one buffer (no zeros per slice).
    raw_scatter = None

    # -- apply -----------------------------------------------------------
    @classmethod
    def apply(cls, *args):
        """Run the operation on ``args`` and record it when gradients are needed."""
        ctx = object.__new__(cls)
        device = None
        arrays = list(args)  # the Tensors' places get their arrays below
        n = len(args)
        grad_on = state.enabled
        edges = None  # made at the first input that needs a gradient (when recording)
        i = -1
        for a in args:
            i += 1
            if a.__class__ is Tensor or isinstance(a, Tensor):
                d = a.device
                if device is None:
                    device = d
                elif d is not device:
                    _raise_device_mismatch(cls, args)
                data = arrays[i] = a._data
                if grad_on and a.requires_grad:
                    if edges is None:
                        edges = [None] * n
                        mask = 1 << n  # a leading bit above the n input bits keys _NEEDS by count too
                    shape = data.shape
                    shape = _SHAPES.get(shape) or _interned(_SHAPES, shape)
                    fn = a.grad_fn
                    edges[i] = ((fn, a._output_nr, shape, data.dtype) if fn is not None
                                else (a, 0, shape, data.dtype))
                    mask |= 1 << i
        if device is None:
            device = backend.Device("cpu")
        ctx.device = device
        record = edges is not None
        if record:
            ctx.needs_input_grad = _NEEDS.get(mask) or _needs(mask)
            edges = tuple(edges)
        if cls.raw:
            try:
                # spelled out for one and two inputs: `*arrays` copies the list
                result = (cls.forward(ctx, arrays[0], arrays[1]) if n == 2 else
                          cls.forward(ctx, arrays[0]) if n == 1 else cls.forward(ctx, *arrays))
            except ValueError as e:  # free when nothing is raised; names the op and shapes when it is
                _raise_shape_error(cls, args, e)
        else:
            prev = state.enabled
            state.enabled = False
            try:
                result = (cls.forward(ctx, *args) if cls.setup_context is _CtxExtras.setup_context
                          else cls._forward_then_setup(ctx, args))
            finally:
                state.enabled = prev
            result = tuple(o._data if isinstance(o, Tensor) else o for o in result) \
                if result.__class__ is tuple else (result._data if isinstance(result, Tensor) else result)
        device = ctx.device  # an op may move its output (ToDevice)
        array_type = device.array_type
        if result.__class__ is tuple:
            made = _finish_multi(cls, ctx, args, arrays, result, device, record, edges)
            return made if ctx._dirty is None else took_dirty(ctx, args, made)
        if result.__class__ is not array_type:
            raw = result
            result = backend.as_array(result, device)
            if record and ctx._saved:  # a saved NumPy-scalar output is saved as its 0-d array
                ctx._saved = tuple(result if v is raw else v for v in ctx._saved)
        if not record:
            if cls.is_view:  # views share their base's version counter, recorded or not
                out = _share_version(cls, args, (result,), device, False)
            else:
                out = Tensor._make(result, device)
            if state.inference:  # made in inference mode: may never be saved by a recorded op
                out._inference = True
            return out if ctx._dirty is None else took_dirty(ctx, args, (out,))[0]
        ctx._where = record_site(3 if cls.raw else 2)
        ctx._edges = edges
        ctx._seq = _next_seq()
        if on_record:
            for observe in on_record:
                observe(ctx)
        if result.dtype.kind == "f" and (ctx._non_diff is None or id(result) not in ctx._non_diff):
            out = _make(result, device, ctx)
        else:
            out = _make(result, device)
        if cls.is_view:
            base = args[0]
            if base._version is None:
                base._version = [0]
            out._version = base._version
            register_view(base, (out,), cls, args[1:])
        if ctx._saved is not None:
            ctx._saved = _pack_one_output(ctx._saved, args, arrays, result, out)
        return out if ctx._dirty is None else took_dirty(ctx, args, (out,))[0]


def _finish_multi(cls, ctx, args, arrays, result, device, record, edges):
    """The tail of ``apply`` for an op with several outputs (``None`` allowed among them)."""
    array_type = device.array_type
    outs = result
    if any(o.__class__ is not array_type and o is not None for o in outs):
        outs = tuple(o if o is None else backend.as_array(o, device) for o in outs)
        if record and ctx._saved:  # a saved NumPy-scalar output is saved as its 0-d array
            ctx._saved = tuple(next((n for r, n in zip(result, outs) if v is r), v)
                               for v in ctx._saved)
    if not record:
        ctx._saved = None
        if cls.is_view:
            made = _share_version(cls, args, outs, device, True)
        else:
            made = tuple(Tensor._make(o, device) if o is not None else None for o in outs)
        if state.inference:  # made in inference mode: may never be saved by a recorded op
            for t in made:
                if t is not None:
                    t._inference = True
        return made
    ctx._where = record_site(4 if cls.raw else 3)
    ctx._edges = edges
    ctx._seq = _next_seq()
    if on_record:
        for observe in on_record:
            observe(ctx)
    non_diff = ctx._non_diff or ()
    tensors = []
    for i, o in enumerate(outs):
        if o is None:
            tensors.append(None)
        elif o.dtype.kind == "f" and id(o) not in non_diff:
            tensors.append(Tensor._make(o, device, ctx, None, i))
        else:
            tensors.append(Tensor._make(o, device))
    if cls.is_view:
        base = args[0]
        if base._version is None:
            base._version = [0]
        for t in tensors:
            if t is not None:
                t._version = base._version
        register_view(base, tensors, cls, args[1:], True)
    ctx._out_metas = tuple((o.shape, o.dtype) if o is not None else None for o in outs)
    if ctx._saved is not None:
        ctx._saved = _pack_saved(ctx._saved, args, arrays, outs, tensors)
    return tuple(tensors)


def _share_version(cls, args, outs, device, multi):
    """Unrecorded outputs of a view op, sharing ``base``'s version counter (and tracked as its views)."""
    base = args[0]
    version = base._version
    if version is None:
        version = base._version = [0]
    made = tuple(Tensor._make(o, device, None, version) if o is not None else None for o in outs)
    if base._nograd_view or (base.requires_grad and not state.enabled):  # see Tensor._check_inplace
        for o in made:
            if o is not None:
                o._nograd_view = True
    register_view(base, made, cls, args[1:], multi)
    return made if multi else made[0]


#: Each recorded node's ``_seq``: -1, -2, ... A node's inputs exist before it, so every edge leads
#: to a node with a larger ``_seq``, and popping the smallest first (a heap) visits each node after
#: all the nodes that feed it gradients: the backward's order, with no pass over the graph first.
_next_seq = itertools.count(-1, -1).__next__


def _needs(key):
    """``needs_input_grad`` kept once for ``key = 2**n + mask``: ``n`` arguments, bit ``i`` of ``mask``
    set where argument ``i`` needs a gradient (an int key: no tuple to build and hash per op)."""
    n = key.bit_length() - 1
    if len(_NEEDS) > 4096:
        _NEEDS.clear()
    need = _NEEDS[key] = tuple(bool(key >> i & 1) for i in range(n))
    return need


_PLAIN = (int, float, bool, str)


def _pack_saved(values, args, arrays, outs, tensors):
    """The saved values as records (see ``SAVED_INPUT``): inputs and outputs are recognised by identity."""
    packed = [None] * len(values)  # sized once: a node keeps this list
    i = -1
    for v in values:
        i += 1
        if v is None:
            continue
        if v.__class__ in _PLAIN:  # a Python number (``x * 0.5`` saves 0.5): kept as it is
            packed[i] = v
            continue
        if v.__class__ is tuple:  # a shape or other tuple: a record, so it is not taken for one
            packed[i] = (3, v, 0, None, 0)
            continue
        arr = v._data if isinstance(v, Tensor) else v
        k = -1  # positions counted by hand: a zip() would allocate five objects per value
        for a in arrays:
            k += 1
            if a is arr and isinstance(args[k], Tensor):
                t = args[k]
                if t._inference:
                    _inference_saved(t)
                ver = t._version
                packed[i] = (0, t, ver[0] if ver else 0, None, 0)
                break
        else:
            k = -1
            for o in outs:
                k += 1
                t = tensors[k]
                if o is arr and t is not None and t.grad_fn is not None:
                    packed[i] = _output_record(t, arr, k)
                    break
            else:
                packed[i] = (2, arr, 0, None, 0) if backend.is_array(arr) else (3, v, 0, None, 0)
    return packed


def _pack_one_output(values, args, arrays, result, out):
    """``_pack_saved`` for an op with one output: a unary op that saves just its output (tanh,
    exp, sigmoid) gets its record without a search (each ``zip`` of the search allocates)."""
    if (len(values) == 1 and values[0] is result and len(arrays) == 1 and result is not arrays[0]
            and out.grad_fn is not None):
        return [_output_record(out, result, 0)]
    return _pack_saved(values, args, arrays, (result,), (out,))


def _output_record(t, arr, k):
    """The record of output number ``k`` (Tensor ``t``, array ``arr``), watching ``t``'s version."""
    ver = t._version
    if ver is None:
        ver = t._version = [0]
    return (1, arr, ver[0], ver, k)


def _inference_saved(t):
    from .inference import check_saved

    check_saved(t)


def _as_tensor(v, device):
    if v is None or isinstance(v, Tensor):
        return v
    if backend.is_array(v):
        return Tensor._make(v, device)
    return v


def _raise_shape_error(cls, args, error):
    """Turn a backend broadcasting ``ValueError`` into PyTorch's ``RuntimeError`` naming the op."""
    shapes = [tuple(a.shape) for a in args if isinstance(a, Tensor)]
    if len(shapes) < 2:
        raise error
    ndim = max(len(s) for s in shapes)
    padded = [(1,) * (ndim - len(s)) + s for s in shapes]
    for d in range(ndim):
        sizes = {p[d] for p in padded if p[d] != 1}
        if len(sizes) > 1:
            a = next(p[d] for p in padded if p[d] != 1)
            b = next(p[d] for p in padded if p[d] != 1 and p[d] != a)
            site = caller_site()
            where = f" (at {site[0]}:{site[1]})" if site else ""
            raise RuntimeError(
                f"{cls.__name__}: the size of tensor a ({a}) must match the size of tensor b ({b}) "
                f"at non-singleton dimension {d}: shapes {' and '.join(map(str, shapes))} "
                f"do not broadcast{where}"
            ) from None
    raise error


def check_same_device(op: str, *tensors):
    """Raise the device-mismatch error of ``op`` unless every Tensor among ``tensors`` shares a device.

    For ops that do not go through ``Function.apply`` with all their tensors
    (comparisons, index arguments, losses' targets).
    """
    ts = [t for t in tensors if isinstance(t, Tensor)]
    if ts and any(t.device is not ts[0].device for t in ts):
        _raise_device_mismatch(op, ts)


def _raise_device_mismatch(cls, args):
    tensors = [a for a in args if isinstance(a, Tensor)]
    desc = []
    for t in tensors:
        where = t.grad_fn.where() if t.grad_fn is not None else ""
        desc.append(f"{t.device} (tensor of shape {tuple(t.shape)}{where})")
    site = caller_site()
    name = cls if isinstance(cls, str) else cls.__name__
    raise RuntimeError(
        f"Expected all tensors to be on the same device, but {name} got tensors on "
        + " and ".join(dict.fromkeys(desc))
        + (f" (at {site[0]}:{site[1]})" if site else "")
    )


class Primitive(Function):
    """Base of the built-in ops: ``forward`` receives and returns backend arrays."""

    raw = True


from .tensor import Tensor  # noqa: E402  (Tensor needs Function first)

_make = Tensor._make
