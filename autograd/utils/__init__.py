"""Utilities, in the role of ``torch.utils``: ``ag.utils.data`` (datasets and loaders)."""
from . import data

__all__ = ["data"]
