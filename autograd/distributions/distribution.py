"""``Distribution``, the base of the probability distributions (``torch.distributions.Distribution``)."""

from __future__ import annotations

from .. import random as _random
from ..creation import tensor as _tensor
from ..grad_mode import no_grad
from ..legacy import Size
from ..tensor import Tensor
from . import constraints

__all__ = ["Distribution", "broadcast_all", "sum_rightmost"]


def _shape(shape):
    return tuple(int(s) for s in shape)


def broadcast_shapes(*shapes):
    """The broadcast of several shapes (NumPy's rule), raising ValueError as PyTorch's broadcast_all."""
    out = []
    for shape in shapes:
        shape = _shape(shape)
        if len(shape) > len(out):
            out = [1] * (len(shape) - len(out)) + out
        for i, s in enumerate(shape, start=len(out) - len(shape)):
            if s != 1 and out[i] not in (1, s):
                raise ValueError(f"Shape mismatch: objects cannot be broadcast to a single shape: {shapes}")
            out[i] = s if out[i] == 1 else out[i]
    return tuple(out)


def broadcast_all(*values):
    """Tensors (numbers become tensors of the others' dtype and device) broadcast to one shape."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    if not all(isinstance(v, (Tensor, int, float)) for v in values):
        raise ValueError(
            "Input arguments must all be instances of numbers.Number, torch.Tensor or objects "
            "implementing __torch_function__."
        )
    like = tensors[0] if tensors else None
    values = [
        v
        if isinstance(v, Tensor)
        else _tensor(
            float(v),
            dtype=like.dtype if like is not None else None,
            device=like.device if like is not None else None,
        )
        for v in values
    ]
    shape = broadcast_shapes(*(v.shape for v in values))
    return tuple(v if tuple(v.shape) == shape else v.expand(*shape) for v in values)


def sum_rightmost(value, dim):
    """Sum out the ``dim`` rightmost dimensions of ``value``."""
    return value.sum(tuple(range(-dim, 0))) if dim > 0 else value


class Distribution:
    """Base class of the probability distributions.

    Args:
        batch_shape (tuple): the shape of independent, differently parameterised draws.
        event_shape (tuple): the shape of one draw.
        validate_args (bool, optional): check parameters and ``log_prob``'s values
            (default: ``Distribution.set_default_validate_args``'s value, True).
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__
    arg_constraints: dict = {}
    support = None

    @staticmethod
    def set_default_validate_args(value):
        """Turn argument validation on or off for distributions made afterwards."""
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = _shape(batch_shape)
        self._event_shape = _shape(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for param, constraint in self.arg_constraints.items():
                if isinstance(constraint, constraints._Dependent) or param not in self.__dict__:
                    continue  # skip dependent and lazily-constructed (probs <-> logits) parameters
                value = getattr(self, param)
                if not bool(constraint.check(value).all()):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}"
                    )

    @property
    def batch_shape(self):
        """The shape over which parameters are batched."""
        return _size(self._batch_shape)

    @property
    def event_shape(self):
        """The shape of a single sample (without batching)."""
        return _size(self._event_shape)

    def expand(self, batch_shape, _instance=None):
        """A new distribution with parameters expanded to ``batch_shape`` (no copies)."""
        batch_shape = _shape(batch_shape)
        new = _instance if _instance is not None else type(self).__new__(type(self))
        for name in self._expand_params():
            value = getattr(self, name)
            setattr(new, name, value.expand(*(batch_shape + _shape(value.shape)[len(self._batch_shape) :])))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _expand_params(self):
        return [name for name in self.arg_constraints if name in self.__dict__]

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self)} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        """The standard deviation, ``variance.sqrt()``."""
        return self.variance.sqrt()

    def sample(self, sample_shape=()):
        """A sample of shape ``sample_shape + batch_shape + event_shape``, without gradients."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        """A reparameterised sample: differentiable with respect to the parameters."""
        raise NotImplementedError

    def sample_n(self, n):
        return self.sample((n,))

    def log_prob(self, value):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        raise NotImplementedError

    def perplexity(self):
        """``exp(entropy)``."""
        return self.entropy().exp()

    def _extended_shape(self, sample_shape=()):
        return _shape(sample_shape) + self._batch_shape + self._event_shape

    def _noise(self, kind, sample_shape, like):
        """Standard normal or U[0, 1) noise of the sample's shape, from the default generator."""
        shape = self._extended_shape(sample_shape)
        draw = _random.normal_array if kind == "normal" else _random.uniform_array
        return Tensor(draw(shape, like._data.dtype, like.device))

    def _validate_sample(self, value):
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = len(value.shape) - len(self._event_shape)
        if _shape(value.shape)[event_dim_start:] != self._event_shape:
            raise ValueError(
                f"The right-most size of value must match event_shape: {tuple(value.shape)} vs "
                f"{self._event_shape}."
            )
        actual, expected = _shape(value.shape), self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(
                    f"Value is not broadcastable with batch_shape+event_shape: {actual} vs {expected}."
                )
        support = self.support
        if support is None or isinstance(support, constraints._Dependent):
            return
        if not bool(support.check(value).all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) "
                f"to be within the support ({support!r}) of the distribution {self!r}, but found "
                f"invalid values:\n{value}"
            )

    def __repr__(self):
        shown = [(k, self.__dict__[k]) for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(f"{k}: {v.item() if v.numel() == 1 else _size(v.shape)}" for k, v in shown)
        return f"{type(self).__name__}({args})"


def _size(shape):
    return Size(shape)
