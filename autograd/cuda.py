"""``ag.cuda``: whether CuPy and a GPU are present."""
from __future__ import annotations

from . import backend


def is_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    return backend.cuda_available()


def device_count() -> int:
    """Number of GPUs CuPy sees (0 without CuPy)."""
    try:
        return backend.get_backend("cuda").device_count()
    except RuntimeError:
        return 0


def manual_seed(seed: int) -> None:
    """Seed every device's generator (as ``ag.manual_seed``)."""
    from .random import manual_seed as seed_all

    seed_all(seed)
