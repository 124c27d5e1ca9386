"""``ReduceOp``: how a reducing collective combines the ranks' values (as ``torch.distributed.ReduceOp``)."""
from __future__ import annotations

import enum


class ReduceOp:
    """The reduction of ``all_reduce``, ``reduce`` and ``reduce_scatter``: ``ReduceOp.SUM`` and so on.

    ``AVG`` (floating-point tensors only) is the sum divided by the group size.
    """

    class RedOpType(enum.Enum):
        SUM = 0
        AVG = 1
        PRODUCT = 2
        MIN = 3
        MAX = 4
        BAND = 5
        BOR = 6
        BXOR = 7

    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR


def check_op(op):
    """``op`` as a ``RedOpType`` member, or a ``ValueError`` naming what was passed."""
    if isinstance(op, ReduceOp.RedOpType):
        return op
    if isinstance(op, str) and op.upper() in ReduceOp.RedOpType.__members__:
        return ReduceOp.RedOpType[op.upper()]
    raise ValueError(f"op must be a ReduceOp (SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR), got {op!r}")
