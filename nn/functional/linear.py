"""nn.functional: linear and bilinear maps."""
from __future__ import annotations

import autograd as ag
from autograd import Tensor
from autograd.ops.linalg import Addmm, Matmul


def linear(input, weight, bias=None):
    """:math:`y = x W^T + b`.

    One node (``Addmm``) that reads ``weight`` transposed in place (no copy of ``W^T``) and
    adds the bias into the product.

    Shape:
        - input: :math:`(*, H_{in})`; weight: :math:`(H_{out}, H_{in})`; bias: :math:`(H_{out})`
        - output: :math:`(*, H_{out})`

    Example::

        >>> F.linear(ag.ones(2, 3), ag.ones(4, 3), ag.zeros(4)).shape
        (2, 4)
    """
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError("linear(): input and weight must be Tensors")
    a, w = input._data, weight._data  # the arrays' own attributes: no Tensor properties per check
    if w.ndim != 2:
        raise RuntimeError(f"linear(): weight must be 2-D (out_features, in_features), got shape "
                           f"{tuple(weight.shape)}")
    if a.ndim == 0 or a.shape[-1] != w.shape[1]:
        rows = input.numel() // max(input.shape[-1], 1) if input.ndim else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x"
                           f"{input.shape[-1] if input.ndim else 1} and {w.shape[1]}x{w.shape[0]})")
    if a.dtype is not w.dtype and a.dtype != w.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {input.dtype} and "
                           f"{weight.dtype}")
    x = input.reshape(1, -1) if a.ndim == 1 else input
    b = bias._data if isinstance(bias, Tensor) else None
    if b is not None and b.shape == w.shape[:1] and (b.dtype is w.dtype or b.dtype == w.dtype):
        out = Addmm.apply(x, weight, bias)
    else:
        out = Matmul.apply(x, weight, False, True)
        if bias is not None:
            out = out + bias
    return out.reshape(w.shape[0]) if a.ndim == 1 else out


def bilinear(input1, input2, weight, bias=None):
    """:math:`y_k = x_1^T A_k x_2 + b_k`.

    Shape:
        - input1: :math:`(*, H_{in1})`; input2: :math:`(*, H_{in2})`
        - weight: :math:`(H_{out}, H_{in1}, H_{in2})`; bias: :math:`(H_{out})`
        - output: :math:`(*, H_{out})`
    """
    if weight.ndim != 3 or input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input1 {tuple(input1.shape)}, input2 {tuple(input2.shape)} and "
                           f"weight {tuple(weight.shape)} do not match")
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input1 and input2 batch dimensions differ: "
                           f"{tuple(input1.shape[:-1])} and {tuple(input2.shape[:-1])}")
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, input1.shape[-1])
    x2 = input2.reshape(-1, input2.shape[-1])
    out = ag.einsum("ni,kij,nj->nk", x1, weight, x2)
    if bias is not None:
        out = out + bias
    return out.reshape(*lead, weight.shape[0])


__all__ = ["linear", "bilinear"]
