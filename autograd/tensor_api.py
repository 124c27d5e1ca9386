"""``TensorApi``: the rest of PyTorch's ``Tensor`` methods, as one-line delegates (a base of ``Tensor``).

``tensor.py`` holds the core (attributes, arithmetic dunders, the most used methods); this
mixin adds the breadth: legacy ``type()``, ``new_*`` constructors, sorting and selection,
more math, the ``*_`` in-place forms and sampling methods. Every method calls the op that
defines it in ``autograd/ops``; the op modules are bound by :func:`_bind` once ``Tensor``
exists (they import it).
"""
# ruff: noqa: E301, E302, E501  (one-line delegates, as in autograd/tensor.py)
from __future__ import annotations


class TensorApi:
    __slots__ = ()

    # ------------------------------------------------------------ legacy types and properties
    def type(self, dtype=None, non_blocking=False, **kw): return _lg.to_type(self, dtype, non_blocking, **kw)
    is_xpu = is_mps = is_meta = is_sparse = is_quantized = is_nested = property(lambda self: False)
    def is_complex(self): return False
    def is_floating_point(self): return self.dtype.kind == "f"
    def is_signed(self): return self.dtype.kind in "if"
    def is_contiguous(self, memory_format=None): return bool(self._data.flags.c_contiguous)
    def is_inference(self): return self._inference
    def is_pinned(self): return False
    def is_shared(self): return False
    def pin_memory(self): return self
    def share_memory_(self): return self
    def nelement(self): return self.numel()
    def ndimension(self): return self.ndim
    def element_size(self): return self.dtype.itemsize
    @property
    def itemsize(self): return self.dtype.itemsize
    @property
    def nbytes(self): return int(self._data.nbytes)
    def get_device(self): return -1 if self.device.type == "cpu" else (self.device.index or 0)
    def stride(self, dim=None): return _ta.stride(self, dim)
    def byte(self): return self.to(_backend.uint8)
    def char(self): return self.to(_backend.int8)
    def short(self): return self.to(_backend.int16)
    def __format__(self, spec): return _ta.format_tensor(self, spec)
    def data_ptr(self): return _tm.data_ptr(self)
    def storage(self): return _tm.TypedStorage(self)
    def untyped_storage(self): return _tm.UntypedStorage(self)
    def storage_offset(self): return _tm.storage_offset(self)
    def apply_(self, callable): return _tm.apply_(self, callable)

    # ------------------------------------------------------------ new_* constructors
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False): return _ta.new(self, _cr.zeros, size, dtype, device, requires_grad)
    def new_ones(self, *size, dtype=None, device=None, requires_grad=False): return _ta.new(self, _cr.ones, size, dtype, device, requires_grad)
    def new_empty(self, *size, dtype=None, device=None, requires_grad=False): return _ta.new(self, _cr.empty, size, dtype, device, requires_grad)
    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False): return _ta.new_full(self, size, fill_value, dtype, device, requires_grad)
    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False): return _ta.new_tensor(self, data, dtype, device, requires_grad)

    # ------------------------------------------------------------ more math
    def neg(self): return _ew.neg(self)
    def negative(self): return _ew.neg(self)
    def remainder(self, other): return _ew.remainder(self, other)
    def floor_divide(self, other): return _ew.floor_divide(self, other)
    def true_divide(self, other): return _ew.div(self, other)
    def divide(self, other, *, rounding_mode=None): return _ew.div(self, other, rounding_mode=rounding_mode)
    def multiply(self, other): return _ew.mul(self, other)
    def subtract(self, other, *, alpha=1): return _ew.sub(self, other, alpha=alpha)
    def absolute(self): return _ew.abs(self)
    def floor(self): return _um.floor(self)
    def ceil(self): return _um.ceil(self)
    def round(self, *, decimals=0): return _um.round(self, decimals=decimals)
    def trunc(self): return _um.trunc(self)
    def fix(self): return _um.trunc(self)
    def frac(self): return _um.frac(self)
    def log2(self): return _um.log2(self)
    def log10(self): return _um.log10(self)
    def exp2(self): return _um.exp2(self)
    def erfinv(self): return _um.erfinv(self)
    def square(self): return _um.square(self)
    def tan(self): return _um.tan(self)
    def sinh(self): return _um.sinh(self)
    def cosh(self): return _um.cosh(self)
    def asin(self): return _um.asin(self)
    def acos(self): return _um.acos(self)
    def atan(self): return _um.atan(self)
    def arcsin(self): return _um.asin(self)
    def arccos(self): return _um.acos(self)
    def arctan(self): return _um.atan(self)
    def atan2(self, other): return _um.atan2(self, other)
    def arctan2(self, other): return _um.atan2(self, other)
    def fmod(self, other): return _um.fmod(self, other)
    def hypot(self, other): return _um.hypot(self, other)
    def logit(self, eps=None): return _um.logit(self, eps)
    def xlogy(self, other): return _um.xlogy(self, other)
    def lerp(self, end, weight): return _um.lerp(self, end, weight)
    def addcmul(self, tensor1, tensor2, *, value=1): return _um.addcmul(self, tensor1, tensor2, value=value)
    def addcdiv(self, tensor1, tensor2, *, value=1): return _um.addcdiv(self, tensor1, tensor2, value=value)
    def clamp_min(self, min): return _ew.clamp(self, min, None)
    def clamp_max(self, max): return _ew.clamp(self, None, max)
    def logical_and(self, other): return _ew.logical_and(self, other)
    def logical_or(self, other): return _ew.logical_or(self, other)
    def logical_xor(self, other): return _ew.logical_xor(self, other)
    def logical_not(self): return _ew.logical_not(self)
    def bitwise_and(self, other): return _ew.bitwise_and(self, other)
    def bitwise_or(self, other): return _ew.bitwise_or(self, other)
    def bitwise_xor(self, other): return _ew.bitwise_xor(self, other)
    def bitwise_not(self): return _ew.bitwise_not(self)
    def isinf(self): return _cm.isinf(self)
    def isposinf(self): return _cm.isposinf(self)
    def isneginf(self): return _cm.isneginf(self)
    def signbit(self): return _cm.signbit(self)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False): return _cm.isclose(self, other, rtol, atol, equal_nan)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False): return _cm.allclose(self, other, rtol, atol, equal_nan)
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None): return _cm.nan_to_num(self, nan, posinf, neginf)
    def equal(self, other): return _ew.equal(self, other)
    def cumprod(self, dim, *, dtype=None): return _lm.cumprod(self, dim, dtype=dtype)
    def cross(self, other, dim=None): return _lm.cross(self, other, dim)
    def kron(self, other): return _lm.kron(self, other)
    def matrix_power(self, n): return _lf.matrix_power(self, n)
    def matrix_exp(self): return _lf.matrix_exp(self)
    def renorm(self, p, dim, maxnorm): return _lf.renorm(self, p, dim, maxnorm)
    def vdot(self, other): return _lf.vdot(self, other)
    def addr(self, vec1, vec2, *, beta=1, alpha=1): return _lf.addr(self, vec1, vec2, beta=beta, alpha=alpha)
    def addmv(self, mat, vec, *, beta=1, alpha=1): return _lm.addmv(self, mat, vec, beta=beta, alpha=alpha)
    def addbmm(self, batch1, batch2, *, beta=1, alpha=1): return _lm.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def adjoint(self): return _lf.adjoint(self)
    def conj(self): return _lf.conj(self)
    def resolve_conj(self): return _lf.resolve_conj(self)
    def is_conj(self): return False
    def is_neg(self): return False
    def resolve_neg(self): return self
    def is_same_size(self, other): return tuple(self.shape) == tuple(other.shape)
    def is_nonzero(self): return _ta.is_nonzero(self)
    def greater(self, other): return self.gt(other)
    def greater_equal(self, other): return self.ge(other)
    def less(self, other): return self.lt(other)
    def less_equal(self, other): return self.le(other)
    def not_equal(self, other): return self.ne(other)
    # the in-place forms of ops/inplace_more.py
    def absolute_(self, *args, **kwargs): return _ix2.absolute_(self, *args, **kwargs)
    def acos_(self, *args, **kwargs): return _ix2.acos_(self, *args, **kwargs)
    def arccos_(self, *args, **kwargs): return _ix2.arccos_(self, *args, **kwargs)
    def asin_(self, *args, **kwargs): return _ix2.asin_(self, *args, **kwargs)
    def arcsin_(self, *args, **kwargs): return _ix2.arcsin_(self, *args, **kwargs)
    def atan_(self, *args, **kwargs): return _ix2.atan_(self, *args, **kwargs)
    def arctan_(self, *args, **kwargs): return _ix2.arctan_(self, *args, **kwargs)
    def cosh_(self, *args, **kwargs): return _ix2.cosh_(self, *args, **kwargs)
    def sinh_(self, *args, **kwargs): return _ix2.sinh_(self, *args, **kwargs)
    def tan_(self, *args, **kwargs): return _ix2.tan_(self, *args, **kwargs)
    def deg2rad_(self, *args, **kwargs): return _ix2.deg2rad_(self, *args, **kwargs)
    def rad2deg_(self, *args, **kwargs): return _ix2.rad2deg_(self, *args, **kwargs)
    def exp2_(self, *args, **kwargs): return _ix2.exp2_(self, *args, **kwargs)
    def fix_(self, *args, **kwargs): return _ix2.fix_(self, *args, **kwargs)
    def negative_(self, *args, **kwargs): return _ix2.negative_(self, *args, **kwargs)
    def sgn_(self, *args, **kwargs): return _ix2.sgn_(self, *args, **kwargs)
    def sinc_(self, *args, **kwargs): return _ix2.sinc_(self, *args, **kwargs)
    def logit_(self, *args, **kwargs): return _ix2.logit_(self, *args, **kwargs)
    def nan_to_num_(self, *args, **kwargs): return _ix2.nan_to_num_(self, *args, **kwargs)
    def bitwise_not_(self, *args, **kwargs): return _ix2.bitwise_not_(self, *args, **kwargs)
    def atan2_(self, *args, **kwargs): return _ix2.atan2_(self, *args, **kwargs)
    def arctan2_(self, *args, **kwargs): return _ix2.arctan2_(self, *args, **kwargs)
    def copysign_(self, *args, **kwargs): return _ix2.copysign_(self, *args, **kwargs)
    def xlogy_(self, *args, **kwargs): return _ix2.xlogy_(self, *args, **kwargs)
    def floor_divide_(self, *args, **kwargs): return _ix2.floor_divide_(self, *args, **kwargs)
    def true_divide_(self, *args, **kwargs): return _ix2.true_divide_(self, *args, **kwargs)
    def divide_(self, *args, **kwargs): return _ix2.divide_(self, *args, **kwargs)
    def multiply_(self, *args, **kwargs): return _ix2.multiply_(self, *args, **kwargs)
    def subtract_(self, *args, **kwargs): return _ix2.subtract_(self, *args, **kwargs)
    def heaviside_(self, *args, **kwargs): return _ix2.heaviside_(self, *args, **kwargs)
    def bitwise_and_(self, *args, **kwargs): return _ix2.bitwise_and_(self, *args, **kwargs)
    def bitwise_or_(self, *args, **kwargs): return _ix2.bitwise_or_(self, *args, **kwargs)
    def bitwise_xor_(self, *args, **kwargs): return _ix2.bitwise_xor_(self, *args, **kwargs)
    def cumsum_(self, *args, **kwargs): return _ix2.cumsum_(self, *args, **kwargs)
    def cumprod_(self, *args, **kwargs): return _ix2.cumprod_(self, *args, **kwargs)
    def addmm_(self, *args, **kwargs): return _ix2.addmm_(self, *args, **kwargs)
    def addmv_(self, *args, **kwargs): return _ix2.addmv_(self, *args, **kwargs)
    def addbmm_(self, *args, **kwargs): return _ix2.addbmm_(self, *args, **kwargs)
    def addr_(self, *args, **kwargs): return _ix2.addr_(self, *args, **kwargs)
    def eq_(self, *args): return _ix2.eq_(self, *args)
    def ne_(self, *args): return _ix2.ne_(self, *args)
    def lt_(self, *args): return _ix2.lt_(self, *args)
    def le_(self, *args): return _ix2.le_(self, *args)
    def gt_(self, *args): return _ix2.gt_(self, *args)
    def ge_(self, *args): return _ix2.ge_(self, *args)
    def greater_(self, *args): return _ix2.greater_(self, *args)
    def greater_equal_(self, *args): return _ix2.greater_equal_(self, *args)
    def less_(self, *args): return _ix2.less_(self, *args)
    def less_equal_(self, *args): return _ix2.less_equal_(self, *args)
    def not_equal_(self, *args): return _ix2.not_equal_(self, *args)
    def logical_and_(self, *args): return _ix2.logical_and_(self, *args)
    def logical_or_(self, *args): return _ix2.logical_or_(self, *args)
    def logical_xor_(self, *args): return _ix2.logical_xor_(self, *args)
    def logical_not_(self, *args): return _ix2.logical_not_(self, *args)
    def baddbmm_(self, *args, **kwargs): return _ix2.baddbmm_(self, *args, **kwargs)
    def float_power_(self, *args, **kwargs): return _ix2.float_power_(self, *args, **kwargs)
    def renorm_(self, p, dim, maxnorm): return _lf.renorm_(self, p, dim, maxnorm)
    def ger(self, vec2): return _lf.ger(self, vec2)
    def orgqr(self, input2): return _lf.orgqr(self, input2)
    def lu(self, pivot=True, get_infos=False): return _lu.legacy_lu(self, pivot, get_infos)
    def lu_solve(self, LU_data, LU_pivots): return _lu.legacy_lu_solve(self, LU_data, LU_pivots)
    def inverse(self): return _ld.inverse(self)
    def pinverse(self, rcond=1e-15): return _lp.pinverse(self, rcond)
    def slogdet(self): return _ld.slogdet(self)
    def logdet(self): return _ld.logdet(self)
    def cholesky(self, upper=False): return _ld.cholesky(self, upper)
    def inner(self, other): return _lm.inner(self, other)
    def mv(self, vec): return _lm.mv(self, vec)
    def addmm(self, mat1, mat2, *, beta=1, alpha=1): return _lm.addmm(self, mat1, mat2, beta=beta, alpha=alpha)
    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1): return _lm.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def count_nonzero(self, dim=None): return _sel.count_nonzero(self, dim)
    def fmax(self, other): return _mm.fmax(self, other)
    def fmin(self, other): return _mm.fmin(self, other)
    def logaddexp(self, other): return _mm.logaddexp(self, other)
    def logaddexp2(self, other): return _mm.logaddexp2(self, other)
    def sgn(self): return _mm.sgn(self)
    def positive(self): return _mm.positive(self)
    def deg2rad(self): return _mm.deg2rad(self)
    def rad2deg(self): return _mm.rad2deg(self)
    def sinc(self): return _mm.sinc(self)
    def copysign(self, other): return _mm.copysign(self, other)
    def float_power(self, exponent): return _mm.float_power(self, exponent)
    def heaviside(self, values): return _mm.heaviside(self, values)
    def nansum(self, dim=None, keepdim=False, *, dtype=None): return _nr.nansum(self, dim, keepdim, dtype=dtype)
    def nanmean(self, dim=None, keepdim=False, *, dtype=None): return _nr.nanmean(self, dim, keepdim, dtype=dtype)
    def aminmax(self, *, dim=None, keepdim=False): return _nr.aminmax(self, dim=dim, keepdim=keepdim)
    def logcumsumexp(self, dim): return _cd.logcumsumexp(self, dim)
    def diff(self, n=1, dim=-1, prepend=None, append=None): return _cd.diff(self, n, dim, prepend, append)
    def ravel(self): return _cd.ravel(self)
    def dist(self, other, p=2): return _st.dist(self, other, p)
    def cov(self, *, correction=1, fweights=None, aweights=None): return _st.cov(self, correction=correction, fweights=fweights, aweights=aweights)
    def corrcoef(self): return _st.corrcoef(self)
    def bincount(self, weights=None, minlength=0): return _ct.bincount(self, weights, minlength)
    def histc(self, bins=100, min=0, max=0): return _ct.histc(self, bins, min, max)
    def svd(self, some=True, compute_uv=True): return _ls.svd(self, some, compute_uv)
    def qr(self, some=True): return _ls.qr(self, some)

    # ------------------------------------------------------------ sorting
    def sort(self, dim=-1, descending=False, stable=False): return _so.sort(self, dim, descending, stable)
    def argsort(self, dim=-1, descending=False, stable=False): return _so.argsort(self, dim, descending, stable)
    def msort(self): return _so.msort(self)
    def topk(self, k, dim=-1, largest=True, sorted=True): return _so.topk(self, k, dim, largest, sorted)
    def kthvalue(self, k, dim=-1, keepdim=False): return _so.kthvalue(self, k, dim, keepdim)
    def median(self, dim=None, keepdim=False): return _so.median(self, dim, keepdim)
    def nanmedian(self, dim=None, keepdim=False): return _so.nanmedian(self, dim, keepdim)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None): return _so.unique(self, sorted, return_inverse, return_counts, dim)
    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None): return _so.unique_consecutive(self, return_inverse, return_counts, dim)
    def cummax(self, dim): return _ce.cummax(self, dim)
    def cummin(self, dim): return _ce.cummin(self, dim)
    def mode(self, dim=-1, keepdim=False): return _ce.mode(self, dim, keepdim)

    # ------------------------------------------------------------ selection and rearranging
    def tril(self, diagonal=0): return _sel.tril(self, diagonal)
    def triu(self, diagonal=0): return _sel.triu(self, diagonal)
    def diag(self, diagonal=0): return _sel.diag(self, diagonal)
    def diagonal(self, offset=0, dim1=0, dim2=1): return _sel.diagonal(self, offset, dim1, dim2)
    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1):
        return _sel.diagonal_scatter(self, src, offset, dim1, dim2)
    def select_scatter(self, src, dim, index): return _svw.select_scatter(self, src, dim, index)
    def slice_scatter(self, src, dim=0, start=None, end=None, step=1): return _svw.slice_scatter(self, src, dim, start, end, step)
    def as_strided_scatter(self, src, size, stride, storage_offset=None): return _svw.as_strided_scatter(self, src, size, stride, storage_offset)
    def diag_embed(self, offset=0, dim1=-2, dim2=-1): return _sel.diag_embed(self, offset, dim1, dim2)
    def trace(self): return _sel.trace(self)
    def narrow(self, dim, start, length): return _sel.narrow(self, dim, start, length)
    def narrow_copy(self, dim, start, length): return _sel.narrow_copy(self, dim, start, length)
    def select(self, dim, index): return _sel.select(self, dim, index)
    def unbind(self, dim=0): return _sel.unbind(self, dim)
    def nonzero(self, *, as_tuple=False): return _sel.nonzero(self, as_tuple=as_tuple)
    def argwhere(self): return _sel.argwhere(self)
    def take(self, index): return _sel.take(self, index)
    def masked_select(self, mask): return _sel.masked_select(self, mask)
    def index_fill(self, dim, index, value): return _sel.index_fill(self, dim, index, value)
    def index_add(self, dim, index, source, *, alpha=1): return _sel.index_add(self, dim, index, source, alpha=alpha)
    def index_copy(self, dim, index, source): return _sel.index_copy(self, dim, index, source)
    def scatter_add(self, dim, index, src): return _ga.scatter_add(self, dim, index, src)
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True): return _sr.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def index_reduce(self, dim, index, source, reduce, *, include_self=True): return _sr.index_reduce(self, dim, index, source, reduce, include_self=include_self)
    def index_put(self, indices, values, accumulate=False): return _sr.index_put(self, indices, values, accumulate)
    def put(self, index, source, accumulate=False): return _sr.put(self, index, source, accumulate)
    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"): return _qu.quantile(self, q, dim, keepdim, interpolation=interpolation)
    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"): return _qu.nanquantile(self, q, dim, keepdim, interpolation=interpolation)
    def tensor_split(self, indices_or_sections, dim=0): return _sel.tensor_split(self, indices_or_sections, dim)
    def hsplit(self, sections): return _sel.hsplit(self, sections)
    def vsplit(self, sections): return _sel.vsplit(self, sections)
    def dsplit(self, sections): return _sel.dsplit(self, sections)
    def split_with_sizes(self, split_sizes, dim=0): return _spm.split_with_sizes(self, split_sizes, dim)
    def unsafe_split(self, split_size, dim=0): return _spm.unsafe_split(self, split_size, dim)
    def unsafe_chunk(self, chunks, dim=0): return _spm.unsafe_chunk(self, chunks, dim)
    def cholesky_solve(self, input2, upper=False): return _lsl.cholesky_solve(self, input2, upper)
    def triangular_solve(self, A, upper=True, transpose=False, unitriangular=False): return _lsl.triangular_solve(self, A, upper, transpose, unitriangular)
    def movedim(self, source, destination): return _sel.movedim(self, source, destination)
    def moveaxis(self, source, destination): return _sel.movedim(self, source, destination)
    def swapaxes(self, axis0, axis1): return _sh.transpose(self, axis0, axis1)
    def swapdims(self, dim0, dim1): return _sh.transpose(self, dim0, dim1)
    def fliplr(self): return _sel.fliplr(self)
    def flipud(self): return _sel.flipud(self)
    def rot90(self, k=1, dims=(0, 1)): return _sel.rot90(self, k, dims)
    def tile(self, *dims): return _sel.tile(self, dims[0] if len(dims) == 1 else dims)
    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        return _sel.repeat_interleave(self, repeats, dim, output_size=output_size)
    def unfold(self, dimension, size, step): return _ta.unfold(self, dimension, size, step)

    # ------------------------------------------------------------ sampling
    def multinomial(self, num_samples, replacement=False, *, generator=None): return _sp.multinomial(self, num_samples, replacement, generator=generator)
    def bernoulli(self, p=None, *, generator=None): return _sp.bernoulli(self, p, generator=generator)
    def bernoulli_(self, p=0.5, *, generator=None): return _ta.bernoulli_(self, p, generator)
    def exponential_(self, lambd=1.0, *, generator=None): return _ta.exponential_(self, lambd, generator)
    def random_(self, from_=0, to=None, *, generator=None): return _ta.random_(self, from_, to, generator)
    def geometric_(self, p, *, generator=None): return _nrd.geometric_(self, p, generator=generator)
    def log_normal_(self, mean=1.0, std=2.0, *, generator=None): return _nrd.log_normal_(self, mean, std, generator=generator)
    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None): return _nrd.cauchy_(self, median, sigma, generator=generator)

    # ------------------------------------------------------------ shifts and numeric breadth (ops/numeric_more.py)
    def __lshift__(self, other): return _nm.bitwise_left_shift(self, other)
    def __rlshift__(self, other): return _nm.bitwise_left_shift(other, self)
    def __rshift__(self, other): return _nm.bitwise_right_shift(self, other)
    def __rrshift__(self, other): return _nm.bitwise_right_shift(other, self)
    def __ilshift__(self, other): return _nm.bitwise_left_shift_(self, other)
    def __irshift__(self, other): return _nm.bitwise_right_shift_(self, other)
    def bitwise_left_shift(self, other): return _nm.bitwise_left_shift(self, other)
    def bitwise_right_shift(self, other): return _nm.bitwise_right_shift(self, other)
    def bitwise_left_shift_(self, other): return _nm.bitwise_left_shift_(self, other)
    def bitwise_right_shift_(self, other): return _nm.bitwise_right_shift_(self, other)
    def gcd(self, other): return _nm.gcd(self, other)
    def gcd_(self, other): return _nm.gcd_(self, other)
    def lcm(self, other): return _nm.lcm(self, other)
    def lcm_(self, other): return _nm.lcm_(self, other)
    def frexp(self): return _nm.frexp(self)
    def ldexp(self, other): return _nm.ldexp(self, other)
    def ldexp_(self, other): return _nm.ldexp_(self, other)
    def nextafter(self, other): return _nm.nextafter(self, other)
    def nextafter_(self, other): return _nm.nextafter_(self, other)
    def histogram(self, bins, *, range=None, weight=None, density=False): return _nm.histogram(self, bins, range=range, weight=weight, density=density)

    # ------------------------------------------------------------ in place
    def exp_(self): return _im.exp_(self)
    def log_(self): return _im.log_(self)
    def log1p_(self): return _im.log1p_(self)
    def expm1_(self): return _im.expm1_(self)
    def sqrt_(self): return _im.sqrt_(self)
    def rsqrt_(self): return _im.rsqrt_(self)
    def sin_(self): return _im.sin_(self)
    def cos_(self): return _im.cos_(self)
    def tanh_(self): return _im.tanh_(self)
    def sigmoid_(self): return _im.sigmoid_(self)
    def relu_(self): return _im.relu_(self)
    def abs_(self): return _im.abs_(self)
    def neg_(self): return _im.neg_(self)
    def sign_(self): return _im.sign_(self)
    def reciprocal_(self): return _im.reciprocal_(self)
    def erf_(self): return _im.erf_(self)
    def erfinv_(self): return _im.erfinv_(self)
    def floor_(self): return _im.floor_(self)
    def ceil_(self): return _im.ceil_(self)
    def round_(self, *, decimals=0): return _im.round_(self, decimals=decimals)
    def trunc_(self): return _im.trunc_(self)
    def frac_(self): return _im.frac_(self)
    def log2_(self): return _im.log2_(self)
    def log10_(self): return _im.log10_(self)
    def square_(self): return _im.square_(self)
    def pow_(self, exponent): return _im.pow_(self, exponent)
    def fmod_(self, other): return _im.fmod_(self, other)
    def remainder_(self, other): return _im.remainder_(self, other)
    def clamp_min_(self, min): return _im.clamp_min_(self, min)
    def clamp_max_(self, max): return _im.clamp_max_(self, max)
    def clip_(self, min=None, max=None): return _im.clip_(self, min, max)
    def masked_fill_(self, mask, value): return _im.masked_fill_(self, mask, value)
    def masked_scatter(self, mask, source): return _ga.masked_scatter(self, mask, source)
    def masked_scatter_(self, mask, source): return _im.masked_scatter_(self, mask, source)
    def scatter_(self, dim, index, src=None, *, value=None, reduce=None): return _im.scatter_(self, dim, index, src, value=value, reduce=reduce)
    def scatter_add_(self, dim, index, src): return _im.scatter_add_(self, dim, index, src)
    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True): return _sr.scatter_reduce_(self, dim, index, src, reduce, include_self=include_self)
    def index_reduce_(self, dim, index, source, reduce, *, include_self=True): return _sr.index_reduce_(self, dim, index, source, reduce, include_self=include_self)
    def index_put_(self, indices, values, accumulate=False): return _sr.index_put_(self, indices, values, accumulate)
    def put_(self, index, source, accumulate=False): return _sr.put_(self, index, source, accumulate)
    def index_fill_(self, dim, index, value): return _im.index_fill_(self, dim, index, value)
    def index_add_(self, dim, index, source, *, alpha=1): return _im.index_add_(self, dim, index, source, alpha=alpha)
    def index_copy_(self, dim, index, source): return _im.index_copy_(self, dim, index, source)
    def addcmul_(self, tensor1, tensor2, *, value=1): return _im.addcmul_(self, tensor1, tensor2, value=value)
    def addcdiv_(self, tensor1, tensor2, *, value=1): return _im.addcdiv_(self, tensor1, tensor2, value=value)
    def lerp_(self, end, weight): return _im.lerp_(self, end, weight)
    def tril_(self, diagonal=0): return _im.tril_(self, diagonal)
    def triu_(self, diagonal=0): return _im.triu_(self, diagonal)
    def fill_diagonal_(self, fill_value, wrap=False): return _im.fill_diagonal_(self, fill_value, wrap)

    # ------------------------------------------------------------ special functions (ops/special_fns.py)
    def asinh(self): return _sf.asinh(self)
    def acosh(self): return _sf.acosh(self)
    def atanh(self): return _sf.atanh(self)
    def arcsinh(self): return _sf.asinh(self)
    def arccosh(self): return _sf.acosh(self)
    def arctanh(self): return _sf.atanh(self)
    def erfc(self): return _sf.erfc(self)
    def lgamma(self): return _sf.lgamma(self)
    def digamma(self): return _sf.digamma(self)
    def polygamma(self, n): return _sf.polygamma(n, self)
    def mvlgamma(self, p): return _sf.mvlgamma(self, p)
    def i0(self): return _sf.i0(self)
    def igamma(self, other): return _sf.igamma(self, other)
    def igammac(self, other): return _sf.igammac(self, other)
    def xlog1py(self, other): return _sf.xlog1py(self, other)
    def asinh_(self): return _sf.asinh_(self)
    def acosh_(self): return _sf.acosh_(self)
    def atanh_(self): return _sf.atanh_(self)
    def arcsinh_(self): return _sf.asinh_(self)
    def arccosh_(self): return _sf.acosh_(self)
    def arctanh_(self): return _sf.atanh_(self)
    def erfc_(self): return _sf.erfc_(self)
    def lgamma_(self): return _sf.lgamma_(self)
    def digamma_(self): return _sf.digamma_(self)
    def polygamma_(self, n): return _sf.polygamma_(self, n)
    def mvlgamma_(self, p): return _sf.mvlgamma_(self, p)
    def i0_(self): return _sf.i0_(self)
    def igamma_(self, other): return _sf.igamma_(self, other)
    def igammac_(self, other): return _sf.igammac_(self, other)


def _bind():
    """Import the modules the delegates call (after ``Tensor`` is defined: they import it)."""
    global _backend, _cr, _lg, _ta, _ew, _um, _cm, _lm, _ls, _so, _sel, _ga, _sh, _sp, _im, _ce, _tm, _mm, _nr, _cd, _st, _ct, _sr, _qu, _lf, _lu, _ix2
    from . import backend as _backend
    from . import creation as _cr
    from . import legacy as _lg
    from . import tensor_api_impl as _ta
    from . import tensor_memory as _tm
    from .ops import cumextrema as _ce
    from .ops import compare_more as _cm
    from .ops import elementwise as _ew
    from .ops import gather as _ga
    from .ops import inplace_methods as _im
    from .ops import inplace_more as _ix2
    from .ops import linalg_more as _lm
    from .ops import linalg_funcs as _lf
    from .ops import linalg_lu as _lu
    from .ops import linalg_spectral as _ls
    from .ops import math_more as _mm
    from .ops import nan_reduce as _nr
    from .ops import cum_diff as _cd
    from .ops import stats as _st
    from .ops import counting as _ct
    from .ops import sampling as _sp
    from .ops import selection as _sel
    from .ops import shape as _sh
    from .ops import sort as _so
    from .ops import unary_more as _um
    from .ops import scatter_reduce as _sr
    from .ops import quantile as _qu
    global _sf
    from .ops import special_fns as _sf
    global _svw, _spm, _lsl
    from .ops import linalg_solve_legacy as _lsl
    from .ops import scatter_views as _svw
    from .ops import split_more as _spm
    global _nm, _nrd, _ld, _lp
    from .ops import linalg_decomp as _ld
    from .ops import linalg_pinv as _lp
    from .ops import numeric_more as _nm
    from .ops import numeric_random as _nrd
