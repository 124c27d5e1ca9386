"""The multivariate normal distribution, parameterised through the Cholesky factor of its covariance."""

from __future__ import annotations

import math

from ..ops.linalg import einsum, matmul
from ..ops.linalg_decomp import inverse, linalg_cholesky, solve_triangular
from . import constraints
from .distribution import Distribution, broadcast_shapes

__all__ = ["MultivariateNormal"]


def _diagonal(m):
    return einsum("...ii->...i", m)


def batch_mahalanobis(scale_tril, x):
    """``|| L^{-1} x ||^2`` over the last dim, ``L`` lower triangular (batch dims broadcast)."""
    z = solve_triangular(scale_tril, x.unsqueeze(-1), upper=False)
    return (z.squeeze(-1) ** 2).sum(-1)


class MultivariateNormal(Distribution):
    """The multivariate normal ``N(loc, Σ)``, given ``Σ`` by ``covariance_matrix``, ``precision_matrix``
    (``Σ^{-1}``) or ``scale_tril`` (lower-triangular ``L`` with ``Σ = L L^T``), exactly one of them.

    Samples are ``loc + L ε``; ``log_prob`` and ``entropy`` use the factor ``L``.

    Args:
        loc (Tensor): mean, ``(*batch, n)``.
        covariance_matrix (Tensor): positive-definite ``(*batch, n, n)``.
        precision_matrix (Tensor): positive-definite ``(*batch, n, n)``.
        scale_tril (Tensor): lower triangular with positive diagonal ``(*batch, n, n)``.
        validate_args (bool, optional): check the arguments and ``log_prob``'s values.
    """

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None
    ):
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if (covariance_matrix is not None) + (scale_tril is not None) + (precision_matrix is not None) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified."
            )
        given = next(m for m in (scale_tril, covariance_matrix, precision_matrix) if m is not None)
        name = (
            "scale_tril"
            if scale_tril is not None
            else "covariance_matrix"
            if covariance_matrix is not None
            else "precision_matrix"
        )
        if given.ndim < 2:
            raise ValueError(
                f"{name} matrix must be at least two-dimensional, with optional leading batch dimensions"
            )
        batch_shape = broadcast_shapes(given.shape[:-2], loc.shape[:-1])
        n = loc.shape[-1]
        setattr(self, name, given.expand(*batch_shape, n, n))
        self.loc = loc.expand(*batch_shape, n)
        super().__init__(batch_shape, (n,), validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = linalg_cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = linalg_cholesky(inverse(precision_matrix))

    def __getattr__(self, name):  # the other parameterisations, computed on first use
        d = self.__dict__
        if "_unbroadcasted_scale_tril" not in d:
            raise AttributeError(name)
        low, shape = d["_unbroadcasted_scale_tril"], tuple(self._batch_shape + self._event_shape * 2)
        if name == "scale_tril":
            value = low.expand(*shape)
        elif name == "covariance_matrix":
            value = matmul(low, low.mT).expand(*shape)
        elif name == "precision_matrix":
            value = inverse(matmul(low, low.mT)).expand(*shape)
        else:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        setattr(self, name, value)
        return value

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        batch_shape = tuple(batch_shape)
        n = self._event_shape[0]
        new.loc = self.loc.expand(*batch_shape, n)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(*batch_shape, n, n))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return (self._unbroadcasted_scale_tril**2).sum(-1).expand(*self._batch_shape, *self._event_shape)

    def rsample(self, sample_shape=()):
        eps = self._noise("normal", sample_shape, self.loc)
        return self.loc + matmul(self._unbroadcasted_scale_tril, eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        low = self._unbroadcasted_scale_tril
        m = batch_mahalanobis(low, value - self.loc)
        half_log_det = _diagonal(low).log().sum(-1)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + m) - half_log_det

    def entropy(self):
        half_log_det = _diagonal(self._unbroadcasted_scale_tril).log().sum(-1)
        h = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        return h.expand(*self._batch_shape) if self._batch_shape else h
