"""``ag.linalg``, in the role of ``torch.linalg``: decompositions, solves and determinants.

Example::

    >>> A = ag.tensor([[4.0, 2.0], [2.0, 3.0]])
    >>> ag.linalg.cholesky(A)
    tensor([[2.0000, 0.0000],
            [1.0000, 1.4142]])
"""
from .ops.linalg_decomp import LinAlgError, det, slogdet, solve, solve_triangular
from .ops.linalg_decomp import inverse as inv
from .ops.linalg_decomp import linalg_cholesky as cholesky
from .ops.linalg_norm import matrix_norm, norm
from .ops.linalg_pinv import cond, lstsq, matrix_rank, pinv
from .ops.linalg_spectral import eigh, eigvalsh, svdvals
from .ops.linalg_spectral import linalg_qr as qr
from .ops.linalg_spectral import linalg_svd as svd
from .ops.reduce import vector_norm

__all__ = ["LinAlgError", "cholesky", "cond", "det", "eigh", "eigvalsh", "inv", "lstsq", "matrix_norm",
           "matrix_rank", "norm", "pinv", "qr", "slogdet", "solve", "solve_triangular", "svd", "svdvals",
           "vector_norm"]
