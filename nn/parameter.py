"""``nn.Parameter``: a Tensor that a Module registers as one of its parameters."""
from __future__ import annotations

from types import MethodType

import autograd as ag
from autograd import Tensor
from autograd import backend


class Parameter(Tensor):
    """A Tensor that is a module parameter, as ``torch.nn.Parameter``.

    Assigning a ``Parameter`` as an attribute of a :class:`Module` registers it,
    so it appears in ``parameters()`` and ``state_dict()``. It shares memory with
    ``data`` and requires grad by default.

    Args:
        data (Tensor): the parameter's value (an empty float tensor when None).
        requires_grad (bool): whether the parameter requires gradient. Default: True.

    Example::

        >>> p = nn.Parameter(ag.zeros(2))
        >>> p
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            dev = backend.Device("cpu")
            arr = dev.xp.empty((0,), dtype=backend.get_default_dtype())
        elif isinstance(data, Tensor):
            arr, dev = data._data, data.device
        else:
            raise TypeError(f"Parameter expects a Tensor as data, got {type(data).__name__}")
        p = object.__new__(cls)
        p._data = arr
        p.device = dev
        p.grad = p.grad_fn = p._hooks = None
        p._output_nr = 0
        p._retains_grad = False
        p.requires_grad = False
        if isinstance(data, Tensor):
            if data._version is None:
                data._version = [0]
            p._version = data._version  # shares memory, so shares the version counter
        else:
            p._version = None
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(Tensor._make(self._data.copy(), self.device), self.requires_grad)
        memo[id(self)] = result
        return result


_USE_MSG = ("Attempted to use an uninitialized parameter in {}. This error happens when you are using a "
            "`LazyModule` or explicitly manipulating `torch.nn.parameter.{}` objects. "
            "When using LazyModules Call `forward` with a dummy batch to initialize the parameters before "
            "calling torch functions")

#: the methods PyTorch lets an uninitialized tensor run (its ``_allowed_methods``), and the mixin's own
_ALLOWED = frozenset(("size", "copy_", "is_complex", "is_floating_point", "half", "float", "double", "char",
                      "short", "int", "long", "cuda", "cpu", "to", "get_device", "materialize",
                      "share_memory_"))
_ALIASES = {"nelement": "numel", "ndimension": "dim"}  # the method PyTorch's error names


def _method(name):
    """A method as PyTorch's error names it (the repr of the C method its ``__torch_function__`` sees)."""
    return f"<method '{_ALIASES.get(name, name)}' of 'torch._C.TensorBase' objects>"


class _NoData:
    """The array of an uninitialized tensor: any use raises ``ValueError``, as PyTorch."""

    def __init__(self, owner):
        object.__setattr__(self, "_owner", owner)

    def _error(self, name):
        return ValueError(_USE_MSG.format(name, object.__getattribute__(self, "_owner")))

    def __getattr__(self, name):
        raise self._error(name)

    def __array__(self, *args, **kwargs):
        raise self._error("__array__")

    def __array_ufunc__(self, ufunc, *args, **kwargs):
        raise self._error(ufunc.__name__)

    def __array_function__(self, func, *args, **kwargs):
        raise self._error(func.__name__)

    def __getitem__(self, key):
        raise self._error("__getitem__")

    __setitem__ = __getitem__


class UninitializedTensorMixin:
    """A tensor without data yet; :meth:`materialize` gives it a shape and turns it into ``cls_to_become``.

    As PyTorch's, it answers ``size()`` (``(0,)``), ``ndim`` (1), ``dtype``, ``device``, ``requires_grad``
    and the conversions (``to``, ``float()``, ``cpu()`` ...); ``shape`` and ``share_memory_`` raise
    RuntimeError, and any other method ValueError, naming it."""

    cls_to_become = Tensor

    def _init_lazy(self, device, dtype, requires_grad):
        self._data = _NoData(type(self).__name__)
        self.device = backend.Device(device if device is not None else "cpu")
        self.__dict__["_lazy_dtype"] = backend.as_dtype(dtype) or backend.get_default_dtype()
        self.grad = self.grad_fn = self._hooks = self._version = None
        self._output_nr = 0
        self._retains_grad = False
        self.requires_grad = bool(requires_grad)

    def __getattribute__(self, name):
        value = object.__getattribute__(self, name)
        if name[0] != "_" and name not in _ALLOWED and isinstance(value, MethodType):
            owner = type(self).__name__

            def refuse(*args, **kwargs):
                raise ValueError(_USE_MSG.format(_method(name), owner))
            return refuse
        return value

    def __len__(self):
        raise ValueError(_USE_MSG.format("<function Tensor.__len__>", type(self).__name__))

    def __bool__(self):
        raise ValueError(_USE_MSG.format(_method("__bool__"), type(self).__name__))

    def __iter__(self):
        raise ValueError(_USE_MSG.format(_method("__iter__"), type(self).__name__))

    def materialize(self, shape, device=None, dtype=None):
        """Allocate the (uninitialised) data of ``shape`` and become a ``cls_to_become``."""
        device = backend.Device(device) if device is not None else self.device
        dtype = backend.as_dtype(dtype) or self.__dict__["_lazy_dtype"]
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        self._data = device.xp.empty(shape, dtype=dtype)
        self.device = device
        del self.__dict__["_lazy_dtype"]
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
            "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
            "`forward` to initialize the parameters before accessing their attributes.")

    @property
    def dtype(self):
        return self.__dict__["_lazy_dtype"]

    @property
    def ndim(self):
        return 1  # PyTorch's: that of the empty placeholder its uninitialized tensors hold

    def size(self, dim=None):
        """``(0,)``, the size of PyTorch's empty placeholder (``shape`` raises, as PyTorch's)."""
        if dim is None:
            return (0,)
        if not -1 <= dim <= 0:
            raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got {dim})")
        return 0

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
                           "initialize the parameters before calling `module.share_memory()`.")

    def to(self, *args, **kwargs):
        """Change the device and/or dtype the data will have (in place: there is no data to copy)."""
        for a in list(args) + [kwargs.get("device"), kwargs.get("dtype")]:
            if isinstance(a, (str, backend.Device)):
                self.device = backend.Device(a)
            elif a is not None and not isinstance(a, (bool, Tensor)):
                self.__dict__["_lazy_dtype"] = backend.as_dtype(a)
        return self

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self.device, self.dtype)
        return memo[id(self)]


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet, as ``torch.nn.parameter.UninitializedParameter``.

    Lazy modules (``nn.LazyLinear`` ...) hold these until their first forward, which
    calls :meth:`materialize`; the object then is an ordinary :class:`Parameter`.
    """

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        p = object.__new__(cls)
        p._init_lazy(device, dtype, requires_grad)
        return p

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet; :meth:`materialize` turns it into a plain Tensor."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        t = object.__new__(cls)
        t._init_lazy(device, dtype, requires_grad)
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass


class _BufferMeta(type):
    """``isinstance(t, Buffer)`` holds for the tensors ``Buffer(...)`` made (plain Tensors, flagged)."""

    def __instancecheck__(cls, instance):
        if cls is Buffer and isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False):
            return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """A tensor that a Module registers as a buffer when assigned as its attribute (PyTorch 2.x's
    ``nn.Buffer``): ``self.mask = nn.Buffer(torch.ones(3), persistent=False)``.

    Args:
        data (Tensor): the buffer's values (detached; ``requires_grad`` kept). Default: empty.
        persistent (bool): whether it is part of ``state_dict``. Default: True.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = ag.empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


def is_lazy(param):
    """Whether ``param`` is an uninitialized parameter or buffer."""
    return isinstance(param, UninitializedTensorMixin)


__all__ = ["Parameter", "UninitializedParameter", "UninitializedBuffer", "UninitializedTensorMixin",
           "is_lazy", "Buffer"]
