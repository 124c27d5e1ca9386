"""Views that reinterpret a tensor's memory: ``view(dtype)``."""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from ..view_tracking import register


def is_dtype(obj) -> bool:
    """Whether ``view``'s argument is a dtype (``x.view(ag.int32)``) rather than a size."""
    return not isinstance(obj, (int, tuple, list)) and hasattr(obj, "itemsize") and hasattr(obj, "kind")


def view_dtype(input, dtype):
    """``input``'s memory read as ``dtype``, as ``torch.Tensor.view(dtype)``: with a different element
    size the last dimension (of stride 1) is scaled by the ratio of the sizes. The result shares the
    memory and the version counter and is not differentiable (PyTorch's view.dtype)."""
    from .math_more import torch_name

    dt = backend.as_dtype(dtype)
    arr = input._data
    src = arr.dtype
    if dt.itemsize != src.itemsize:
        what = f"to view {torch_name(src)} as {torch_name(dt)} (different element sizes)"
        if arr.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        stride = arr.strides[-1] // src.itemsize if arr.strides[-1] % src.itemsize == 0 else arr.strides[-1]
        if stride != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {stride}")
        if dt.itemsize > src.itemsize and arr.shape[-1] % (dt.itemsize // src.itemsize):
            raise RuntimeError(f"self.size(-1) must be divisible by {dt.itemsize // src.itemsize} {what}, "
                               f"but got {arr.shape[-1]}")
    out = Tensor._make(arr.view(dt), input.device)
    if input._version is None:
        input._version = [0]
    out._version = input._version
    register(input, (out,))
    return out
