"""The constraints of distribution parameters and supports (a minimal ``torch.distributions.constraints``)."""

from __future__ import annotations

from ..tensor import Tensor

__all__ = [
    "Constraint",
    "real",
    "real_vector",
    "positive",
    "unit_interval",
    "boolean",
    "simplex",
    "integer_interval",
    "interval",
    "lower_cholesky",
    "positive_definite",
    "dependent",
    "independent",
]


class Constraint:
    """A region of values: ``check(value)`` is a bool tensor (its ``event_dim`` rightmost dims reduced)."""

    is_discrete = False
    event_dim = 0

    def check(self, value):
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__[1:] + "()"


class _Dependent(Constraint):
    """A placeholder whose check depends on other parameters (skipped by argument validation)."""

    def check(self, value):
        raise ValueError("Cannot determine validity of dependent constraint")


class _Real(Constraint):
    def check(self, value):
        return value == value  # not NaN


class _IndependentConstraint(Constraint):
    def __init__(self, base, reinterpreted_batch_ndims):
        self.base_constraint, self.reinterpreted_batch_ndims = base, reinterpreted_batch_ndims
        self.event_dim = base.event_dim + reinterpreted_batch_ndims
        self.is_discrete = base.is_discrete

    def check(self, value):
        result = self.base_constraint.check(value)
        for _ in range(self.reinterpreted_batch_ndims):
            result = result.all(-1)
        return result

    def __repr__(self):
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class _GreaterThan(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return self.lower_bound < value

    def __repr__(self):
        return f"GreaterThan(lower_bound={self.lower_bound})"


class _Interval(Constraint):
    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        return (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self):
        return f"Interval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _IntegerInterval(_Interval):
    is_discrete = True

    def check(self, value):
        return (value % 1 == 0) & super().check(value)

    def __repr__(self):
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def check(self, value):
        return ((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1)


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value):
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() < 1e-6)


class _LowerCholesky(Constraint):
    event_dim = 2

    def check(self, value):
        xp, a = value.device.xp, value._data
        idx = xp.arange(a.shape[-1])
        return Tensor((a == xp.tril(a)).all(axis=(-2, -1)) & (a[..., idx, idx] > 0).all(axis=-1))


class _PositiveDefinite(Constraint):
    event_dim = 2

    def check(self, value):
        xp, a = value.device.xp, value._data
        symmetric = xp.isclose(a, xp.swapaxes(a, -1, -2), atol=1e-6).all(axis=(-2, -1))  # as PyTorch
        return Tensor(symmetric & _cholesky_succeeds(xp, a))


def _cholesky_succeeds(xp, a):
    """Per matrix, whether its Cholesky factorisation exists (PyTorch checks ``cholesky_ex``'s info)."""
    out = xp.zeros(a.shape[:-2], dtype=bool)
    flat, ok = a.reshape((-1,) + a.shape[-2:]), out.reshape(-1)
    for i in range(flat.shape[0]):
        try:
            ok[i] = bool(xp.isfinite(xp.linalg.cholesky(flat[i])).all())
        except Exception:  # numpy.linalg.LinAlgError
            ok[i] = False
    return out


dependent = _Dependent()
real = _Real()
real_vector = _IndependentConstraint(real, 1)
positive = _GreaterThan(0.0)
unit_interval = _Interval(0.0, 1.0)
boolean = _Boolean()
one_hot = _OneHot()
simplex = _Simplex()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
interval = _Interval
integer_interval = _IntegerInterval
independent = _IndependentConstraint
