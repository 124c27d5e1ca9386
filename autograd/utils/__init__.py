"""Utilities, in the role of ``torch.utils``: ``ag.utils.data`` (datasets and loaders), ``checkpoint``."""
from . import checkpoint, data

__all__ = ["checkpoint", "data"]
