"""``nn.utils.parametrizations``: ``weight_norm`` and ``spectral_norm`` on the parametrization API
(PyTorch's new form)."""
from __future__ import annotations

import autograd as ag
from autograd.grad_mode import no_grad

from ..functional.distance import normalize
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module
from .parametrize import register_parametrization
from .weight_norm import norm_except_dim

__all__ = ["weight_norm", "spectral_norm"]


class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / norm_except_dim(weight_v, 2, self.dim))

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Weight normalisation through :func:`register_parametrization`: ``original0`` is the
    magnitude ``g`` and ``original1`` the direction ``v`` (``state_dict`` keys
    ``parametrizations.weight.original0`` / ``original1``, as PyTorch's).

    Example::

        >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(20, 40))
        >>> sorted(m.state_dict())
        ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
    """
    register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    """``weight / sigma``, ``sigma`` the largest singular value of ``weight`` (viewed as a matrix with
    ``dim`` first) estimated by power iteration on the buffers ``_u`` and ``_v`` (PyTorch's order:
    ``u`` from ``v``, then ``v`` from ``u``; 15 iterations at creation, ``n_power_iterations`` per
    forward in training). A 1-D weight is simply normalized."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but "
                             f"got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        with no_grad():  # the buffers are updated in place (the clone in forward keeps autograd's copy)
            for _ in range(n_power_iterations):
                self._u = normalize(ag.mv(weight_mat, self._v), dim=0, eps=self.eps, out=self._u)
                self._v = normalize(ag.mv(weight_mat.mT, self._u), dim=0, eps=self.eps, out=self._v)

    def forward(self, weight):
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = ag.vdot(u, ag.mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Spectral normalization through :func:`register_parametrization` (PyTorch's
    ``torch.nn.utils.parametrizations.spectral_norm``): ``module.<name>`` becomes ``W / sigma(W)``,
    with state_dict keys ``parametrizations.<name>.original`` and ``parametrizations.<name>.0._u`` /
    ``._v``. ``dim`` defaults to 1 for transposed convolutions, else 0.

    Example::

        >>> snm = nn.utils.parametrizations.spectral_norm(nn.Linear(20, 40))
        >>> snm.parametrizations.weight.original.shape, snm.parametrizations.weight[0]._u.shape
        ((40, 20), (40,))
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, ag.Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
