"""``Tensor``: a backend array with a place in the graph.

Every method is a one-line delegate to the op that defines it (``autograd/ops``),
so an op is written once and reachable as ``x.exp()`` and ``ag.exp(x)``.
"""
from __future__ import annotations

from . import backend
from .tensor_graph import TensorGraph
from .tensor_api import TensorApi
from .tensor_api_more import TensorApiMore
from .view_tracking import register

_new = object.__new__


class Tensor(TensorGraph, TensorApi, TensorApiMore):
    """A multi-dimensional array that records the operations applied to it.

    Build tensors with :func:`autograd.tensor` and the other creation functions;
    ``Tensor(data)`` is accepted too and behaves like ``ag.tensor(data)``.
    """

    __slots__ = ("_data", "device", "requires_grad", "grad_fn", "_output_nr", "_version",
                 "__weakref__", "__dict__")
    # Rarely set on an op's output, so kept as class defaults: setting one on an instance
    # stores it in the instance's (lazily created) __dict__.
    grad = None
    _hooks = None
    _retains_grad = False
    _inference = False  # made in ag.inference_mode(): never saved by a recorded op
    _views = None  # weak references to the tensors viewing this one's memory (view_tracking.py)
    _viewof = None  # of a view: (root tensor, how to remake the view from it)
    _nograd_view = False  # a view made in no_grad mode of a tensor that requires grad (or of such a view)
    _exported = False  # its array is shared with NumPy (from_numpy, numpy(), __array__): written in place
    __array_priority__ = 1000  # numpy scalars/arrays defer to Tensor's reflected ops
    __hash__ = object.__hash__

    def __init__(self, data, dtype=None, device=None, requires_grad=False):
        from .creation import _to_array

        self._data = _to_array(data, dtype, device)
        self.device = backend.device_of(self._data)
        self.grad_fn = self._version = None
        self._output_nr = 0
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(data, device, grad_fn=None, version=None, output_nr=0):
        """Wrap an array without checks (the ops' fast path)."""
        t = _new(Tensor)
        t._data = data
        t.device = device
        t.grad_fn = grad_fn
        t.requires_grad = grad_fn is not None
        t._version = version
        t._output_nr = output_nr
        return t

    # ------------------------------------------------------------ attributes
    @property
    def data(self):
        """The values as a new tensor cut from the graph, sharing memory (PyTorch's ``.data``).

        Changes made through it are not seen by autograd: ``p.data.add_(-lr * p.grad)``.
        """
        t = Tensor._make(self._data, self.device)
        register(self, (t,))
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data, self.device = value._data, value.device

    @property
    def shape(self):
        """The size of each dimension, as a tuple (PyTorch's ``torch.Size``)."""
        return self._data.shape

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        """Number of dimensions."""
        return self._data.ndim

    def size(self, dim=None):
        """The shape, or the size of dimension ``dim``."""
        if dim is None:
            return self._data.shape
        return self._data.shape[_ut.norm_dim(dim, self._data.ndim)]

    def numel(self):
        """Number of elements."""
        return int(self._data.size)

    @property
    def is_leaf(self):
        """True for tensors not produced by a recorded op."""
        return self.grad_fn is None

    @property
    def T(self):
        """Dimensions reversed (``permute(n-1, ..., 0)``)."""
        return self.permute(*range(self.ndim - 1, -1, -1))

    @property
    def mT(self):
        """The last two dimensions swapped."""
        return self.transpose(-2, -1)

    @property
    def mH(self):
        """The last two dimensions swapped and conjugated (real tensors: ``mT``)."""
        return ops.linalg_funcs.adjoint(self, "mH")

    @property
    def H(self):
        """The conjugate transpose of a matrix (real tensors: ``T``; 2-D only, as PyTorch)."""
        return ops.linalg_funcs.conj_transpose(self)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def item(self):
        """The single value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return backend.to_host(self._data).reshape(()).item()

    def tolist(self):
        return backend.to_host(self._data).tolist()

    def numpy(self):
        """The data as a ``numpy.ndarray`` (shared memory on the CPU)."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        if self.device.type != "cpu":
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                "to copy the tensor to host memory first."
            )
        self._exported = True
        return self._data

    def __repr__(self):
        host = backend.to_host(self._data)
        body = backend.format_array(host)
        extras = []
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        if host.dtype not in (backend.get_default_dtype(), backend.int64, backend.bool_) or (
            host.size == 0 and host.dtype != backend.get_default_dtype()
        ):
            extras.append(f"dtype={backend.dtype_name(host.dtype)}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} values is ambiguous"
            )
        return bool(self.item())

    def __float__(self):
        self._check_one("float")
        return float(self.item())

    def __int__(self):
        self._check_one("int")
        return int(self.item())

    def _check_one(self, to):
        if self._data.size != 1:  # PyTorch: ValueError here, RuntimeError from item()
            raise ValueError(f"only one element tensors can be converted to Python scalars: {to}() of a "
                             f"Tensor with {self._data.size} elements (shape {tuple(self._data.shape)})")

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __array__(self, dtype=None, copy=None):
        if self.device.type != "cpu":
            raise TypeError(f"can't convert a {self.device} tensor to a NumPy array implicitly; use .cpu()")
        if dtype is None or dtype == self._data.dtype:
            self._exported = True
            return self._data
        return self._data.astype(dtype)

    def __reduce_ex__(self, protocol):
        from .serialization import reduce_tensor

        return reduce_tensor(self)

    def __deepcopy__(self, memo):
        """``copy.deepcopy(t)``: a new leaf with a copy of the data, ``requires_grad`` and ``grad``."""
        new = memo.get(id(self))
        if new is None:
            if self.grad_fn is not None:
                raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                                   f"deepcopy protocol at the moment (got the output of {self.grad_fn.name()})")
            new = memo[id(self)] = Tensor._make(self._data.copy(), self.device)
            new.requires_grad = self.requires_grad
            if self.grad is not None:
                new.grad = self.grad.__deepcopy__(memo)
        return new

    # ------------------------------------------------------------ device and dtype
    def to(self, *args, **kwargs):
        """Move and/or cast: ``to(device)``, ``to(dtype)``, ``to(other)``, ``to(device, dtype)``."""
        return ops.movement.to(self, *args, **kwargs)

    def cpu(self):
        """This tensor on the CPU (itself when already there)."""
        return self.to("cpu")

    def cuda(self, device=None):
        """This tensor on a CUDA device: ``cuda()``, ``cuda(1)``, ``cuda("cuda:1")``."""
        return self.to(backend.cuda_device(device))

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def is_cpu(self):
        return self.device.type == "cpu"

    def float(self):
        return self.to(backend.float32)

    def double(self):
        return self.to(backend.float64)

    def half(self):
        return self.to(backend.float16)

    def long(self):
        return self.to(backend.int64)

    def int(self):
        return self.to(backend.int32)

    def bool(self):
        return self.to(backend.bool_)

    def type_as(self, other):
        return self.to(other.dtype)

    def clone(self, *, memory_format=None):
        return ops.elementwise.clone(self)

    def contiguous(self, memory_format=None):
        # a copy unless already contiguous, as PyTorch's: in-place ops on it must not reach a view's base
        return self if self._data.flags.c_contiguous else ops.elementwise.clone(self)

    def __dlpack__(self, *args, **kwargs):
        return ops.movement.dlpack(self, *args, **kwargs)

    def __dlpack_device__(self):
        return ops.movement.dlpack_device(self)

    # ------------------------------------------------------------ arithmetic
    def __radd__(self, other): return _ew.add(other, self)
    def __rsub__(self, other): return _ew.sub(other, self)
    def __rmul__(self, other): return _ew.mul(other, self)
    def __rtruediv__(self, other): return _ew.div(other, self)
    def __floordiv__(self, other): return _ew.floor_divide(self, other)
    def __rfloordiv__(self, other): return _ew.floor_divide(other, self)
    def __mod__(self, other): return _ew.remainder(self, other)
    def __rmod__(self, other): return _ew.remainder(other, self)
    def __pow__(self, other): return _ew.pow(self, other)
    def __rpow__(self, other): return _ew.pow(other, self)
    def __matmul__(self, other): return _la.matmul(self, other)
    def __rmatmul__(self, other): return _la.matmul(other, self)
    def __neg__(self): return _ew.neg(self)
    def __pos__(self): return self
    def __abs__(self): return _ew.abs(self)
    def __eq__(self, other): return _ew.eq(self, other)
    def __ne__(self, other): return _ew.ne(self, other)
    def __lt__(self, other): return _ew.lt(self, other)
    def __le__(self, other): return _ew.le(self, other)
    def __gt__(self, other): return _ew.gt(self, other)
    def __ge__(self, other): return _ew.ge(self, other)
    def __and__(self, other): return _ew.bitwise_and(self, other)
    def __rand__(self, other): return _ew.bitwise_and(other, self)
    def __or__(self, other): return _ew.bitwise_or(self, other)
    def __ror__(self, other): return _ew.bitwise_or(other, self)
    def __xor__(self, other): return _ew.bitwise_xor(self, other)
    def __rxor__(self, other): return _ew.bitwise_xor(other, self)
    def __invert__(self): return _ew.bitwise_not(self)
    def __iadd__(self, other): return _ip.add_(self, other)
    def __isub__(self, other): return _ip.sub_(self, other)
    def __imul__(self, other): return _ip.mul_(self, other)
    def __itruediv__(self, other): return _ip.div_(self, other)
    def __getitem__(self, index): return _ix.getitem(self, index)
    def __setitem__(self, index, value): _ix.setitem(self, index, value)

    def add(self, other, alpha=1): return _ew.add(self, other, alpha=alpha)
    def sub(self, other, alpha=1): return _ew.sub(self, other, alpha=alpha)
    def mul(self, other): return _ew.mul(self, other)
    def div(self, other, rounding_mode=None): return _ew.div(self, other, rounding_mode=rounding_mode)
    def eq(self, other): return _ew.eq(self, other)
    def ne(self, other): return _ew.ne(self, other)
    def lt(self, other): return _ew.lt(self, other)
    def le(self, other): return _ew.le(self, other)
    def gt(self, other): return _ew.gt(self, other)
    def ge(self, other): return _ew.ge(self, other)
    def isnan(self): return _ew.isnan(self)
    def isfinite(self): return _ew.isfinite(self)

    # ------------------------------------------------------------ in place
    def add_(self, other, alpha=1): return _ip.add_(self, other, alpha=alpha)
    def sub_(self, other, alpha=1): return _ip.sub_(self, other, alpha=alpha)
    def mul_(self, other): return _ip.mul_(self, other)
    def div_(self, other, *, rounding_mode=None): return _ip.div_(self, other, rounding_mode=rounding_mode)
    def zero_(self): return _ip.zero_(self)
    def fill_(self, value): return _ip.fill_(self, value)
    def copy_(self, src): return _ip.copy_(self, src)
    def clamp_(self, min=None, max=None): return _ip.clamp_(self, min, max)
    def uniform_(self, a=0.0, b=1.0, generator=None): return _ip.uniform_(self, a, b, generator)
    def normal_(self, mean=0.0, std=1.0, generator=None): return _ip.normal_(self, mean, std, generator)

    # ------------------------------------------------------------ elementwise
    def exp(self): return _ew.exp(self)
    def log(self): return _ew.log(self)
    def log1p(self): return _ew.log1p(self)
    def expm1(self): return _ew.expm1(self)
    def sqrt(self): return _ew.sqrt(self)
    def rsqrt(self): return _ew.rsqrt(self)
    def sin(self): return _ew.sin(self)
    def cos(self): return _ew.cos(self)
    def tanh(self): return _ew.tanh(self)
    def sigmoid(self): return _ew.sigmoid(self)
    def erf(self): return _ew.erf(self)
    def relu(self): return _ew.relu(self)
    def abs(self): return _ew.abs(self)
    def sign(self): return _ew.sign(self)
    def clamp(self, min=None, max=None): return _ew.clamp(self, min, max)
    def clip(self, min=None, max=None): return _ew.clamp(self, min, max)
    def pow(self, exponent): return _ew.pow(self, exponent)
    def reciprocal(self): return _ew.reciprocal(self)
    def maximum(self, other): return _ew.maximum(self, other)
    def minimum(self, other): return _ew.minimum(self, other)
    def where(self, condition, other): return _ew.where(condition, self, other)
    def softmax(self, dim, dtype=None): return _sm.softmax(self, dim, dtype)
    def log_softmax(self, dim, dtype=None): return _sm.log_softmax(self, dim, dtype)

    # ------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False, **kw): return _rd.sum(self, dim, keepdim, **kw)
    def mean(self, dim=None, keepdim=False, **kw): return _rd.mean(self, dim, keepdim, **kw)
    def var(self, dim=None, unbiased=None, keepdim=False, **kw): return _rd.var(self, dim, unbiased, keepdim, **kw)
    def std(self, dim=None, unbiased=None, keepdim=False, **kw): return _rd.std(self, dim, unbiased, keepdim, **kw)
    def prod(self, dim=None, keepdim=False, **kw): return _rd.prod(self, dim, keepdim, **kw)
    def max(self, dim=None, keepdim=False, **kw): return _ex.max(self, dim, keepdim, **kw)
    def min(self, dim=None, keepdim=False, **kw): return _ex.min(self, dim, keepdim, **kw)
    def amax(self, dim=None, keepdim=False, **kw): return _ex.amax(self, dim, keepdim, **kw)
    def amin(self, dim=None, keepdim=False, **kw): return _ex.amin(self, dim, keepdim, **kw)
    def argmax(self, dim=None, keepdim=False, **kw): return _ex.argmax(self, dim, keepdim, **kw)
    def argmin(self, dim=None, keepdim=False, **kw): return _ex.argmin(self, dim, keepdim, **kw)
    def logsumexp(self, dim, keepdim=False, **kw): return _sm.logsumexp(self, dim, keepdim, **kw)
    def norm(self, p="fro", dim=None, keepdim=False, **kw): return _rd.norm(self, p, dim, keepdim, **kw)
    def all(self, dim=None, keepdim=False, **kw): return _rd.all(self, dim, keepdim, **kw)
    def any(self, dim=None, keepdim=False, **kw): return _rd.any(self, dim, keepdim, **kw)
    def cumsum(self, dim, **kw): return _rd.cumsum(self, dim, **kw)

    # ------------------------------------------------------------ shape
    def reshape(self, *shape): return _sh.reshape(self, *shape)
    def view(self, *shape, dtype=None): return _sh.view(self, *shape, dtype=dtype)
    def view_as(self, other): return _sh.reshape(self, other.shape)
    def reshape_as(self, other): return _sh.reshape(self, other.shape)
    def flatten(self, start_dim=0, end_dim=-1): return _sh.flatten(self, start_dim, end_dim)
    def unflatten(self, dim, sizes): return _sh.unflatten(self, dim, sizes)
    def squeeze(self, dim=None): return _sh.squeeze(self, dim)
    def unsqueeze(self, dim): return _sh.unsqueeze(self, dim)
    def transpose(self, dim0, dim1): return _sh.transpose(self, dim0, dim1)
    def t(self): return _vo.t(self)
    def permute(self, *dims): return _sh.permute(self, *dims)
    def expand(self, *sizes): return _sh.expand(self, *sizes)
    def expand_as(self, other): return _sh.expand(self, *other.shape)
    def broadcast_to(self, shape): return _sh.broadcast_to(self, shape)
    def repeat(self, *sizes): return _sh.repeat(self, *sizes)
    def chunk(self, chunks, dim=0): return _sh.chunk(self, chunks, dim)
    def split(self, split_size, dim=0): return _sh.split(self, split_size, dim)  # PyTorch names it so here
    def flip(self, *dims, **kwargs): return _sh.flip(self, *dims, **kwargs)
    def roll(self, shifts, dims=None): return _sh.roll(self, shifts, dims)
    def squeeze_(self, dim=None): return _vo.squeeze_(self, dim)
    def unsqueeze_(self, dim): return _vo.unsqueeze_(self, dim)
    def transpose_(self, dim0, dim1): return _vo.transpose_(self, dim0, dim1)
    def swapdims_(self, dim0, dim1): return _vo.transpose_(self, dim0, dim1)
    def swapaxes_(self, axis0, axis1): return _vo.transpose_(self, axis0, axis1)
    def t_(self): return _vo.t_(self)
    def as_strided(self, size, stride, storage_offset=None): return _vo.as_strided(self, size, stride, storage_offset)
    def as_strided_(self, size, stride, storage_offset=None): return _vo.as_strided_(self, size, stride, storage_offset)
    def resize_(self, *sizes): return _vo.resize_(self, *sizes)
    def resize_as_(self, other): return _vo.resize_as_(self, other)

    # ------------------------------------------------------------ indexing
    def gather(self, dim, index, *, sparse_grad=False): return _ga.gather(self, dim, index)
    def scatter(self, dim, index, src=None, reduce=None, *, value=None):
        return _ga.scatter(self, dim, index, src, reduce=reduce, value=value)
    def index_select(self, dim, index): return _ga.index_select(self, dim, index)
    def masked_fill(self, mask, value): return _ga.masked_fill(self, mask, value)
    def take_along_dim(self, indices, dim=None): return _ga.take_along_dim(self, indices, dim)

    # ------------------------------------------------------------ linear algebra
    def matmul(self, other): return _la.matmul(self, other)
    def mm(self, other): return _la.mm(self, other)
    def bmm(self, other): return _la.bmm(self, other)
    def outer(self, other): return _la.outer(self, other)
    def dot(self, other): return _la.dot(self, other)
    def det(self): return _ld.det(self)


from . import ops  # noqa: E402  (the ops need Tensor defined first)
from .ops import elementwise as _ew  # noqa: E402
from .ops import extrema as _ex  # noqa: E402
from .ops import gather as _ga  # noqa: E402
from .ops import indexing as _ix  # noqa: E402
from .ops import inplace as _ip  # noqa: E402
from .ops import linalg as _la  # noqa: E402
from .ops import linalg_decomp as _ld  # noqa: E402
from .ops import reduce as _rd  # noqa: E402
from .ops import _util as _ut  # noqa: E402
from .ops import shape as _sh  # noqa: E402
from .ops import softmax as _sm  # noqa: E402
from .ops import view_ops as _vo  # noqa: E402
from . import tensor_graph as _tg  # noqa: E402

_tg.Tensor = Tensor
# ``a + b`` and its kin call the op itself: no wrapper frame (the op records where it was called from
# by walking up the stack, and each frame it passes is materialised)
Tensor.__add__, Tensor.__sub__, Tensor.__mul__, Tensor.__truediv__ = _ew.add, _ew.sub, _ew.mul, _ew.div
from .tensor_api import _bind  # noqa: E402

_bind()  # the op modules TensorApi's delegates call
