"""``ag.cuda``: whether CuPy and a GPU are present, and a few CUDA utilities (as ``torch.cuda``).

Everything here answers without raising on a machine with no CuPy or no GPU,
except what needs a GPU to do anything (``synchronize``, ``device``), which
raises a ``RuntimeError`` saying how to install CuPy.
"""
from __future__ import annotations

from . import backend


def is_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    return backend.cuda_available()


def device_count() -> int:
    """Number of GPUs CuPy sees (0 without CuPy or without a driver)."""
    try:
        return backend.get_backend("cuda").device_count()
    except RuntimeError:
        return 0


def manual_seed(seed: int) -> None:
    """Seed every device's generator (as ``ag.manual_seed``)."""
    from .random import manual_seed as seed_all

    seed_all(seed)


manual_seed_all = manual_seed


def synchronize(device=None) -> None:
    """Wait for all work queued on a CUDA device (``cuda:0`` by default) to finish.

    Useful before reading a timer: CuPy kernels run asynchronously.
    """
    dev = backend.cuda_device(device)
    with dev.backend.device_context(dev.index) as d:
        d.synchronize()


def device(index):
    """Context manager making CUDA device ``index`` current, as ``torch.cuda.device``.

    Ops run on the current device: wrap work on tensors of ``cuda:N`` (N > 0) in
    ``with ag.cuda.device(N):``. Creation functions and transfers to ``cuda:N``
    select the device themselves.
    """
    dev = backend.cuda_device(index)
    return dev.backend.device_context(dev.index)


def is_bf16_supported() -> bool:
    """False: xpgrad has no bfloat16 arrays (see ``ag.bfloat16``)."""
    return False


def current_device() -> int:
    """Index of the current CUDA device (raises without CuPy and a GPU)."""
    dev = backend.cuda_device(None)
    with dev.backend.device_context(dev.index) as d:
        return int(d.id)


def _typed_classes():
    from .legacy import typed_classes

    return typed_classes("cuda")


globals().update(_typed_classes())  # ag.cuda.FloatTensor, ag.cuda.LongTensor, ... (legacy CUDA types)


def empty_cache() -> None:
    """Release CuPy's cached GPU memory blocks (nothing to do without CuPy and a GPU)."""
    if backend.cuda_available():
        backend.get_backend("cuda").xp.get_default_memory_pool().free_all_blocks()


def get_device_name(device=None) -> str:
    """The GPU's name, as CUDA reports it."""
    dev = backend.cuda_device(device)
    props = dev.backend.xp.cuda.runtime.getDeviceProperties(dev.index or 0)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def _amp():
    from types import SimpleNamespace

    from .amp import GradScaler, autocast

    class CudaGradScaler(GradScaler):
        """``torch.cuda.amp.GradScaler``: ``GradScaler("cuda", ...)`` (no ``device`` argument)."""

        _warning_stacklevel = 3

        def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                     growth_interval=2000, enabled=True):
            super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)

    CudaGradScaler.__name__ = CudaGradScaler.__qualname__ = "GradScaler"
    return SimpleNamespace(autocast=autocast, GradScaler=CudaGradScaler)


amp = _amp()  # ag.cuda.amp.autocast / ag.cuda.amp.GradScaler (see autograd/amp.py)
