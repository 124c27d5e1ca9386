"""``WeightedRandomSampler``, as ``torch.utils.data.WeightedRandomSampler``."""
from __future__ import annotations

from ... import backend
from ...creation import as_tensor
from ...ops.sampling import multinomial
from ...random import check_generator
from .sampler import Sampler, _is_int

__all__ = ["WeightedRandomSampler"]


class WeightedRandomSampler(Sampler):
    """Draws indices ``0 .. len(weights) - 1`` with probabilities proportional to ``weights``.

    Args:
        weights (sequence): non-negative weights, one per index (need not sum to one).
        num_samples (int): how many indices to draw.
        replacement (bool): draw with replacement (default); without it, no index repeats
            and ``num_samples`` can be at most the number of weights.
        generator: an :class:`autograd.Generator` (or ``numpy.random.Generator``) to draw from.

    With replacement, indices are drawn lazily in chunks as iteration proceeds,
    so a huge ``num_samples`` costs nothing until it is iterated. The draws
    follow PyTorch's distribution, not its random stream.

    Example::

        >>> list(WeightedRandomSampler([0.0, 0.0, 1.0], 3))
        [2, 2, 2]
    """

    #: indices drawn at a time with replacement
    _CHUNK = 1 << 16

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not _is_int(num_samples) or num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights = as_tensor(weights, dtype=backend.float64)
        if weights.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights.shape)}")
        self.weights = weights.cpu()
        self.num_samples, self.replacement = int(num_samples), replacement
        self.generator = check_generator(generator, "WeightedRandomSampler generator")

    def __iter__(self):
        if not self.replacement:
            yield from multinomial(self.weights, self.num_samples, False, generator=self.generator).tolist()
            return
        for start in range(0, self.num_samples, self._CHUNK):
            size = min(self._CHUNK, self.num_samples - start)
            yield from multinomial(self.weights, size, True, generator=self.generator).tolist()

    def __len__(self):
        return self.num_samples
