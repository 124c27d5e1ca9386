"""Discrete distributions: Bernoulli, Categorical and OneHotCategorical (``probs`` or ``logits``)."""

from __future__ import annotations

from .. import creation as _creation
from ..backend import int64
from ..ops.activation import Softplus
from ..ops.compare import where
from ..ops.softmax import logsumexp, softmax
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, broadcast_all

__all__ = ["Bernoulli", "Categorical", "OneHotCategorical", "softplus"]


def softplus(x):
    """``log(1 + exp(x))``, stable everywhere (no linear cut-off)."""
    return Softplus.apply(x, 1.0, float("inf"))


def _eps(t):
    return float(t.device.xp.finfo(t._data.dtype).eps)


def clamp_probs(probs):
    """Probabilities kept ``eps`` inside (0, 1), as PyTorch's ``clamp_probs``."""
    eps = _eps(probs)
    return probs.clamp(eps, 1 - eps)


def _one_of(probs, logits):
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def _sample_array(xp, shape, dtype, device):
    from .. import random as _random

    return _random.uniform_array(shape, dtype, device)


class Bernoulli(Distribution):
    """The Bernoulli distribution: 1 with probability ``probs`` (or ``sigmoid(logits)``), else 0.

    Args:
        probs (float or Tensor): probability of 1, in [0, 1].
        logits (float or Tensor): log-odds of 1.
        validate_args (bool, optional): check the arguments and ``log_prob``'s values.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            param = self.logits
        super().__init__(param.shape, (), validate_args=validate_args)

    def __getattr__(self, name):  # the other parameterisation, computed on first use (lazy_property)
        if name == "probs" and "logits" in self.__dict__:
            self.probs = self.logits.sigmoid()
            return self.probs
        if name == "logits" and "probs" in self.__dict__:
            p = clamp_probs(self.probs)
            self.logits = p.log() - (-p).log1p()
            return self.logits
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return where(self.probs == 0.5, float("nan"), mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        probs = self.probs.detach().expand(*shape)
        u = _sample_array(None, shape, probs._data.dtype, probs.device)
        return Tensor((u < probs._data).astype(probs._data.dtype))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value)

    def entropy(self):
        return _bce_with_logits(self.logits, self.probs)

    @property
    def param_shape(self):
        return (self.probs if "probs" in self.__dict__ else self.logits).shape

    def enumerate_support(self, expand=True):
        """``[0., 1.]`` shaped ``(2, *[1] * len(batch_shape))``, expanded to ``(2, *batch_shape)``."""
        param = self.probs if "probs" in self.__dict__ else self.logits
        values = _creation.arange(2, dtype=param.dtype, device=param.device)
        return _enumerated(values.reshape((-1,) + (1,) * len(self._batch_shape)), self._batch_shape, expand)


def _enumerated(values, batch_shape, expand):
    if not expand:
        return values
    return values.expand(values.shape[0], *batch_shape, *values.shape[1 + len(batch_shape) :])


def _bce_with_logits(logits, target):
    # softplus(x) - x * t, written with a smooth softplus so the gradient at 0 is exact
    return softplus(logits) - logits * target


class Categorical(Distribution):
    """A categorical distribution over ``{0, ..., K-1}`` given by the last dim of ``probs`` or ``logits``.

    ``probs`` are normalised to sum to 1; ``logits`` are normalised so that
    ``logits.exp()`` sums to 1 (as PyTorch).

    Args:
        probs (Tensor): non-negative weights, ``(*batch, K)``.
        logits (Tensor): unnormalised log-probabilities, ``(*batch, K)``.
        validate_args (bool, optional): check the arguments and ``log_prob``'s values.
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        if probs is not None:
            if probs.ndim < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            if logits.ndim < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logsumexp(logits, dim=-1, keepdim=True)
            param = self.logits
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1], (), validate_args=validate_args)

    def __getattr__(self, name):
        if name == "probs" and "logits" in self.__dict__:
            self.probs = softmax(self.logits, -1)
            return self.probs
        if name == "logits" and "probs" in self.__dict__:
            self.logits = clamp_probs(self.probs).log()
            return self.logits
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new._num_events = self._num_events
        return new

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self):
        return self.probs.shape if "probs" in self.__dict__ else self.logits.shape

    @property
    def mean(self):
        return self.probs.sum(-1) * float("nan")

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return self.probs.sum(-1) * float("nan")

    def sample(self, sample_shape=()):
        """Draws by inverse CDF on the device's default generator (int64)."""
        probs = self.probs.detach()
        xp = probs.device.xp
        shape = tuple(sample_shape) + self._batch_shape
        cdf = xp.cumsum(probs._data, axis=-1)
        cdf = cdf / cdf[..., -1:]
        u = _sample_array(xp, shape + (1,), probs._data.dtype, probs.device)
        idx = (xp.broadcast_to(cdf, shape + cdf.shape[-1:]) <= u).sum(axis=-1)
        return Tensor(xp.minimum(idx, self._num_events - 1).astype(xp.int64))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        logits = self.logits
        shape = tuple(_broadcast(value.shape, logits.shape))
        value = value.expand(*shape[:-1], 1) if tuple(value.shape) != shape[:-1] + (1,) else value
        return logits.expand(*shape).gather(-1, value).squeeze(-1)

    def enumerate_support(self, expand=True):
        """The int64 values ``0..K-1`` shaped ``(K, *[1] * len(batch_shape))`` (expanded to batch_shape)."""
        param = self.probs if "probs" in self.__dict__ else self.logits
        values = _creation.arange(self._num_events, dtype=int64, device=param.device)
        return _enumerated(values.reshape((-1,) + (1,) * len(self._batch_shape)), self._batch_shape, expand)

    def entropy(self):
        min_real = float(self.logits.device.xp.finfo(self.logits._data.dtype).min)
        logits = self.logits.clamp(min=min_real)
        return -(logits * self.probs).sum(-1)


def _broadcast(a, b):
    from .distribution import broadcast_shapes

    return broadcast_shapes(a, b)


class OneHotCategorical(Distribution):
    """A categorical distribution whose samples are one-hot vectors of length ``K``.

    Args:
        probs (Tensor): non-negative weights, ``(*batch, K)``.
        logits (Tensor): unnormalised log-probabilities, ``(*batch, K)``.
        validate_args (bool, optional): check the arguments and ``log_prob``'s values.
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    support = constraints.one_hot

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        param = self._categorical.param_shape
        super().__init__(param[:-1], param[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    has_enumerate_support = True

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def mean(self):
        return self._categorical.probs

    @property
    def mode(self):
        return self._one_hot(self._categorical.mode)

    @property
    def variance(self):
        return self._categorical.probs * (1 - self._categorical.probs)

    def _one_hot(self, index):
        xp = index.device.xp
        eye = xp.eye(self._event_shape[0], dtype=self.probs._data.dtype)
        return Tensor(eye[index._data])

    def sample(self, sample_shape=()):
        return self._one_hot(self._categorical.sample(sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        """The ``K`` one-hot vectors shaped ``(K, *[1] * len(batch_shape), K)`` (expanded to batch_shape)."""
        n, param = self._event_shape[0], self.probs
        values = _creation.eye(n, dtype=param.dtype, device=param.device)
        values = values.reshape((n,) + (1,) * len(self._batch_shape) + (n,))
        return _enumerated(values, self._batch_shape, expand)

