"""Differentiable collectives, as ``torch.distributed.nn``: ``all_reduce`` whose backward all-reduces
the gradient."""
from .functional import all_reduce

__all__ = ["all_reduce"]
