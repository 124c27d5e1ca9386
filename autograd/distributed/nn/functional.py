"""Collectives recorded in the graph, as ``torch.distributed.nn.functional``.

``all_reduce(t)`` returns a new tensor, the reduction of ``t`` over the ranks.
Every rank's output depends on every rank's input, so the gradient of the sum of
the ranks' losses with respect to one rank's input is the all-reduce of the
gradients the ranks' outputs received: the backward is the same collective on
the gradient (itself recorded, so gradients of gradients work).
"""
from __future__ import annotations

from ...function import Function
from ...tensor import Tensor
from .. import collectives
from ..reduce_op import ReduceOp, check_op

__all__ = ["all_reduce"]


class _AllReduce(Function):
    """``out = reduce over ranks(x)``; ``grad_x = reduce over ranks(grad_out)`` (SUM and AVG)."""

    @staticmethod
    def forward(ctx, x, op, group):
        ctx.op, ctx.group = op, group
        out = x.contiguous().clone()
        collectives.all_reduce(out, op=op, group=group)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.op not in (ReduceOp.SUM, ReduceOp.AVG):
            raise RuntimeError(f"all_reduce: the gradient of ReduceOp.{ctx.op.name} is not defined; "
                               "only SUM and AVG are differentiable")
        return _AllReduce.apply(grad, ctx.op, ctx.group), None, None


def all_reduce(tensor, op=ReduceOp.SUM, group=None):
    """The reduction of ``tensor`` over the ranks of ``group``, as a new, differentiable tensor.

    Unlike :func:`autograd.distributed.all_reduce` the input is left unchanged. The
    backward all-reduces the incoming gradient with the same ``op`` (SUM or AVG).

    Example::

        >>> total = dist.nn.all_reduce(local_sum)   # doctest: +SKIP
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"all_reduce: tensor must be a Tensor, got {type(tensor).__name__}")
    return _AllReduce.apply(tensor, check_op(op), group)
