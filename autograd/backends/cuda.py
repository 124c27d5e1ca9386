"""``ag.backends.cuda``: ``matmul.allow_tf32`` and friends, settable and ignored (no TF32 in CuPy's GEMMs)."""
from types import SimpleNamespace

matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)


def is_built() -> bool:
    """True when CuPy is importable (xpgrad's CUDA path)."""
    from ..backend import cuda_available

    return cuda_available()


def flash_sdp_enabled() -> bool:
    return False


def enable_flash_sdp(enabled: bool) -> None:
    """Accepted; attention runs through xpgrad's own kernels."""


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Accepted; attention runs through xpgrad's own kernels."""


def enable_math_sdp(enabled: bool) -> None:
    """Accepted; attention runs through xpgrad's own kernels."""
