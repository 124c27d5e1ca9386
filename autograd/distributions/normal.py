"""Continuous univariate distributions: Normal and Uniform (reparameterised)."""

from __future__ import annotations

import math

from . import constraints
from .distribution import Distribution, broadcast_all

__all__ = ["Normal", "Uniform"]


class Normal(Distribution):
    """The normal distribution ``N(loc, scale**2)``.

    Args:
        loc (float or Tensor): mean.
        scale (float or Tensor): standard deviation, > 0.
        validate_args (bool, optional): check the arguments and ``log_prob``'s values.

    Example::

        >>> d = ag.distributions.Normal(ag.tensor([0.0]), ag.tensor([1.0]))
        >>> d.log_prob(ag.tensor([0.0]))
        tensor([-0.9189])
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, (), validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale**2

    def rsample(self, sample_shape=()):
        return self.loc + self._noise("normal", sample_shape, self.loc) * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (
            -((value - self.loc) ** 2) / (2 * self.variance)
            - self.scale.log()
            - math.log(math.sqrt(2 * math.pi))
        )

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ((value - self.loc) * (1 / math.sqrt(2)) / self.scale).erf())

    def icdf(self, value):
        """The quantile function, ``loc + scale * sqrt(2) * erfinv(2 value - 1)``."""
        return self.loc + self.scale * (2 * value - 1).erfinv() * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()


class Uniform(Distribution):
    """The uniform distribution on ``[low, high)``.

    Args:
        low (float or Tensor): lower bound (inclusive).
        high (float or Tensor): upper bound (exclusive), > ``low``.
        validate_args (bool, optional): check the arguments and ``log_prob``'s values.
    """

    arg_constraints = {"low": constraints.dependent, "high": constraints.dependent}
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(self.low.shape, (), validate_args=validate_args)
        if self._validate_args and not bool((self.low < self.high).all()):
            raise ValueError("Uniform is not defined when low>= high")

    @property
    def support(self):
        return constraints.interval(self.low, self.high)

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return self.high * float("nan")

    @property
    def stddev(self):
        return (self.high - self.low) / 12**0.5

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape=()):
        return self.low + self._noise("uniform", sample_shape, self.low) * (self.high - self.low)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        # log(lb * ub) - log(high - low), as PyTorch: the indicator carries no gradient, so the
        # gradient is 1/(high - low) everywhere (a where() with -inf * width would make it NaN)
        inside = ((self.low <= value) & (self.high > value)).to(self.low.dtype)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(0, 1)

    def icdf(self, value):
        """The quantile function, ``low + value * (high - low)``."""
        return value * (self.high - self.low) + self.low

    def entropy(self):
        return (self.high - self.low).log()
