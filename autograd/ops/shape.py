"""Shape and movement ops: reshape/view, transpose/permute, expand, cat/stack, ..."""
from __future__ import annotations

from ..function import Primitive
from ._util import shape_arg


class Reshape(Primitive):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Expand(Primitive):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        return ctx.device.xp.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine sums over the broadcast dimensions


def reshape(input, *shape):
    """The same data in a new shape (one dimension may be -1)."""
    shape = shape_arg(shape)
    try:
        return Reshape.apply(input, shape)
    except ValueError:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {input.numel()}") from None


view = reshape


def expand(input, *sizes):
    """A broadcast view with singleton dimensions expanded (-1 keeps a size)."""
    sizes = shape_arg(sizes)
    lead = len(sizes) - input.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({input.ndim})"
        )
    shape = tuple(input.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    if shape == input.shape:
        return input
    try:
        return Expand.apply(input, shape)
    except ValueError:
        raise RuntimeError(
            f"The expanded size of the tensor {list(sizes)} must match the existing size "
            f"{list(input.shape)} at non-singleton dimensions"
        ) from None
