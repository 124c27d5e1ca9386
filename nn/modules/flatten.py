"""``Flatten`` and ``Unflatten``."""
from __future__ import annotations

from .module import Module


class Flatten(Module):
    """Flatten dimensions ``start_dim`` to ``end_dim`` into one.

    Shape:
        - Input: :math:`(*, S_{start}, ..., S_{end}, *)`; Output: :math:`(*, \\prod S_i, *)`.

    Example::

        >>> nn.Flatten()(ag.zeros(32, 1, 5, 5)).shape
        (32, 25)
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand dimension ``dim`` into the shape ``unflattened_size``.

    Example::

        >>> nn.Unflatten(1, (2, 5))(ag.zeros(2, 10)).shape
        (2, 2, 5)
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(dim, int):
            raise TypeError(f"invalid argument type for dim parameter: {type(dim).__name__}; expected int")
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError("unflattened_size must be a tuple or list of ints")
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size) if isinstance(unflattened_size, list) \
            else unflattened_size

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


__all__ = ["Flatten", "Unflatten"]
