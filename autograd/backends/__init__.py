"""``ag.backends``: PyTorch's backend switches (``cudnn``, ``cuda.matmul``, ``mps``, ``mkldnn``, ``openmp``).

They are settable flags that scripts write at start-up (``ag.backends.cudnn.benchmark = True``).
xpgrad reads none of them: NumPy has no cuDNN or TF32, and CuPy's matmul keeps float32 precision.
"""
from . import cuda, cudnn, mkldnn, mps, openmp

__all__ = ["cuda", "cudnn", "mkldnn", "mps", "openmp"]
