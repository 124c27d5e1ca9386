"""Flatten parameters into one vector and back."""
from __future__ import annotations

import autograd as ag
from autograd import Tensor


def _check_device(p, device):
    if device is None:
        return p.device
    if p.device is not device:
        raise TypeError(f"Found two parameters on different devices, this is currently not supported: "
                        f"{device} and {p.device}")
    return device


def parameters_to_vector(parameters):
    """Concatenate the flattened parameters into one 1-D tensor (differentiable).

    Example::

        >>> nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape
        (8,)
    """
    device = None
    flat = []
    for p in parameters:
        device = _check_device(p, device)
        flat.append(p.reshape(-1))
    return ag.cat(flat)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D ``vec`` into the parameters, in place.

    (PyTorch rebinds each parameter's ``.data`` to a view of ``vec``; here the values
    are copied, so the parameters keep their own memory.)
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != total:
        raise RuntimeError(f"vector_to_parameters: expected a 1-D vector of {total} elements, got shape "
                           f"{tuple(vec.shape)}")
    device = None
    pointer = 0
    with ag.no_grad():
        for p in params:
            device = _check_device(p, device)
            n = p.numel()
            chunk = ag.as_tensor(vec._data[pointer:pointer + n].reshape(p.shape))
            p.copy_(chunk)
            pointer += n


__all__ = ["parameters_to_vector", "vector_to_parameters"]
