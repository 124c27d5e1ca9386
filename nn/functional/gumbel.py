"""nn.functional: Gumbel-softmax sampling (soft, or one-hot with the straight-through gradient)."""
from __future__ import annotations

import warnings

import autograd as ag

__all__ = ["gumbel_softmax"]


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Sample from the Gumbel-softmax distribution: ``softmax((logits + g) / tau)``, ``g ~ Gumbel(0, 1)``.

    The noise comes from the device's seeded generator. With ``hard``, the result is the
    one-hot vector of the sample's maximum along ``dim``, with the soft sample's gradient
    (straight-through: ``y_hard - y_soft.detach() + y_soft``).

    Args:
        logits: ``(*, num_features)`` unnormalized log-probabilities.
        tau: non-negative temperature.
        hard: return one-hot samples (differentiated as the soft ones).
        eps: deprecated, has no effect.
        dim: the dimension softmax is computed along. Default: -1.

    Example::

        >>> ag.manual_seed(0)
        0
        >>> F.gumbel_softmax(ag.tensor([[0.0, 0.0, 100.0]]), hard=True)
        tensor([[0., 0., 1.]])
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    if logits.dtype.kind != "f":
        raise RuntimeError(f"Exponential distribution is a continuous probability distribution. dtype must "
                           f"be a floating point but you specified {logits.dtype}")
    gumbels = -ag.empty_like(logits).exponential_().log()  # ~Gumbel(0, 1)
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft  # the reparameterization trick
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = ag.zeros_like(logits).scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
