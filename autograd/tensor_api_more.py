"""``TensorApiMore``: more of PyTorch's ``Tensor`` methods and attributes (a base of ``Tensor``):
legacy ``new``, ``sum_to_size``, ``diagflat``, ``hypot_``, the real-tensor
forms of ``real``/``imag``/``angle``/``conj_physical``/``isreal``, ``nonzero_static``,
``new_empty_strided``, ``dim_order``, ``output_nr``, ``layout`` and the backend flags, and the
``nn.functional`` methods ``hardshrink`` / ``prelu``. Each delegates to the one definition."""
# ruff: noqa: E301, E302, E501  (one-line delegates, as in autograd/tensor.py)
from __future__ import annotations

import importlib


def _functional():
    return importlib.import_module("nn.functional")


class TensorApiMore:
    __slots__ = ()

    def new(self, *args, dtype=None, device=None): return _tf().legacy_new(self, *args, dtype=dtype, device=device)
    def sum_to_size(self, *size): return _tf().sum_to_size(self, *size)
    def diagflat(self, offset=0): return _tf().diagflat(self, offset)
    def hypot_(self, other): return _tf().hypot_(self, other)
    def isreal(self): return _tf().isreal(self)
    def angle(self): return _tf().angle(self)
    def conj_physical(self): return _tf().conj_physical(self)
    def conj_physical_(self): return _tf().conj_physical_(self)
    def nonzero_static(self, *, size, fill_value=-1): return _tf().nonzero_static(self, size=size, fill_value=fill_value)
    def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False): return _tf().new_empty_strided(self, size, stride, dtype, device, requires_grad)
    def dim_order(self, *, ambiguity_check=False): return _tf().dim_order(self)
    def unsafe_split_with_sizes(self, split_sizes, dim=0): return self.split_with_sizes(split_sizes, dim)
    def hardshrink(self, lambd=0.5): return _functional().hardshrink(self, lambd)
    def prelu(self, weight): return _functional().prelu(self, weight)
    @property
    def real(self): return _tf().real(self)
    @property
    def imag(self): return _tf().imag(self)
    @property
    def output_nr(self): return self._output_nr
    @property
    def layout(self): return _tf().strided
    is_xla = is_ipu = is_mtia = is_maia = is_vulkan = is_mkldnn = is_sparse_csr = False


def _tf():
    from . import torch_compat

    return torch_compat
