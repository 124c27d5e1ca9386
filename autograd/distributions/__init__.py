"""Probability distributions, in the role of ``torch.distributions``.

Each distribution has ``batch_shape``/``event_shape``, ``sample``/``rsample``
(reparameterised where ``has_rsample``), ``log_prob``, ``entropy``, ``mean``,
``mode``, ``stddev``, ``variance`` and ``expand``, built from the engine's ops
so that gradients flow to the parameters. ``kl_divergence`` dispatches on the
pair of types through ``register_kl``.

Example::

    >>> loc = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> d = ag.distributions.Normal(loc, 1.0)
    >>> d.log_prob(ag.tensor([0.0, 0.0])).sum().backward()
    >>> loc.grad
    tensor([ 0., -1.])
"""

from . import constraints
from .discrete import Bernoulli, Categorical, OneHotCategorical
from .distribution import Distribution
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal, Uniform

__all__ = [
    "Bernoulli",
    "Categorical",
    "Distribution",
    "Independent",
    "MultivariateNormal",
    "Normal",
    "OneHotCategorical",
    "Uniform",
    "constraints",
    "kl_divergence",
    "register_kl",
]
