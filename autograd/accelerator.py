"""``ag.accelerator``: the current accelerator (CUDA through CuPy), as ``torch.accelerator``."""
from __future__ import annotations

from . import backend

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index", "synchronize"]


def is_available() -> bool:
    """True when CuPy sees a GPU."""
    return backend.cuda_available()


def current_accelerator(check_available: bool = False):
    """The CUDA device (``device(type='cuda')``) when CuPy sees a GPU, else None."""
    return backend.Device("cuda") if backend.cuda_available() else None


def device_count() -> int:
    """Number of GPUs CuPy sees (0 without one)."""
    from .cuda import device_count as count

    return count()


def current_device_index() -> int:
    """Index of the current accelerator device (0; -1 when there is none)."""
    return 0 if backend.cuda_available() else -1


def synchronize(device=None) -> None:
    """Wait for queued GPU work (nothing to wait for without a GPU)."""
    if backend.cuda_available():
        from .cuda import synchronize as sync

        sync(device)
