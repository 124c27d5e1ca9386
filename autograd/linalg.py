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
from .ops.reduce import vector_norm

__all__ = ["LinAlgError", "cholesky", "det", "inv", "matrix_norm", "norm", "slogdet", "solve",
           "solve_triangular", "vector_norm"]
