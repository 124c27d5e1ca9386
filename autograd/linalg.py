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
from .ops.linalg_funcs import (householder_product, matrix_exp, matrix_power, multi_dot, tensorinv,
                                tensorsolve, vecdot)
from .ops.linalg_funcs import linalg_cross as cross
from .ops.linalg_funcs import linalg_diagonal as diagonal
from .ops.linalg_funcs import linalg_vander as vander
from .ops.linalg_lu import cholesky_ex, inv_ex, lu, lu_factor, lu_factor_ex, lu_solve, solve_ex
from .ops.linalg_norm import matrix_norm, norm
from .ops.linalg_pinv import cond, lstsq, matrix_rank, pinv
from .ops.linalg_spectral import eigh, eigvalsh, svdvals
from .ops.linalg_spectral import linalg_qr as qr
from .ops.linalg_spectral import linalg_svd as svd
from .ops.reduce import vector_norm

__all__ = ["LinAlgError", "cholesky", "cond", "det", "eigh", "eigvalsh", "inv", "lstsq", "matrix_norm",
           "matrix_rank", "norm", "pinv", "qr", "slogdet", "solve", "solve_triangular", "svd", "svdvals",
           "vector_norm", "matrix_exp", "matrix_power", "multi_dot", "tensorinv", "tensorsolve", "vecdot",
           "cross", "diagonal", "vander", "cholesky_ex", "inv_ex", "lu", "lu_factor", "lu_factor_ex",
           "lu_solve", "solve_ex", "householder_product"]
