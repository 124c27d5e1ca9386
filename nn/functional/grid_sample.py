"""nn.functional: ``grid_sample`` (4-D and 5-D, bilinear/nearest, 4-D bicubic, padding
zeros/border/reflection) and ``affine_grid``.

Composites of the engine's gather, floor and arithmetic: coordinates are unnormalized and
padded as PyTorch's ``grid_sampler`` does (so the gradient with respect to the grid passes
through the border clamp and the reflections), and each corner of the interpolation cell
is one ``gather`` from the flattened input (its gradient, a scatter-add, gives the input's).
Bicubic, as PyTorch's, pads each of its 4x4 integer taps instead of the coordinate.
"""
from __future__ import annotations

import autograd as ag
from autograd.ops.zero_grad_to import zero_grad_to

from .interpolate import _cubic_coefficients

__all__ = ["grid_sample", "affine_grid"]

_MODES = ("bilinear", "nearest", "bicubic")
_PADDING = ("zeros", "border", "reflection")


def _unnormalize(coord, size, align_corners):
    """[-1, 1] to pixel coordinates: corner pixels' centres (align_corners) or their outer edges."""
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, twice_low, twice_high):
    """Reflect ``coord`` into ``[twice_low / 2, twice_high / 2]`` (PyTorch's ``reflect_coordinates``)."""
    if twice_low == twice_high:
        return coord * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    d = (coord - low).abs()
    flips = (d / span).detach().floor()
    extra = d - flips * span  # fmod with the gradient of d
    even = (flips - 2 * (flips / 2).floor()) == 0
    return ag.where(even, extra + low, span - extra + low)


def _source(coord, size, padding_mode, align_corners):
    return _padded(_unnormalize(coord, size, align_corners), size, padding_mode, align_corners)


def _padded(coord, size, padding_mode, align_corners):
    """A pixel coordinate moved inside by the padding mode (PyTorch's ``compute_coordinates``)."""
    if padding_mode == "border":
        return coord.clamp(0, size - 1)
    if padding_mode == "reflection":
        if align_corners:
            coord = _reflect(coord, 0, 2 * (size - 1))
        else:
            coord = _reflect(coord, -1, 2 * size - 1)
        return coord.clamp(0, size - 1)
    return coord


def _gather(flat, corner, sizes, spatial_out):
    """Values of ``flat`` (N, C, prod(sizes)) at integer ``corner`` (one index tensor per dimension,
    each (N, *spatial_out)), zero where a corner lies outside the input."""
    n, c = flat.shape[:2]
    inside, index = None, None
    for idx, size in zip(corner, sizes):
        ok = (idx >= 0) & (idx <= size - 1)
        inside = ok if inside is None else inside & ok
        safe = idx.clamp(0, size - 1)
        index = safe if index is None else index * size + safe
    index = index.long().reshape(n, 1, -1).expand(n, c, index[0].numel())
    vals = flat.gather(2, index).reshape((n, c) + spatial_out)
    return vals * inside.unsqueeze(1).to(flat.dtype)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` at the normalized locations of ``grid`` (spatial transformer networks).

    ``grid[..., 0]`` is the x (width) coordinate, ``grid[..., 1]`` y (height) and, for 5-D
    input, ``grid[..., 2]`` z (depth), each in ``[-1, 1]`` across the input.

    Args:
        input: ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        grid: ``(N, H_out, W_out, 2)`` or ``(N, D_out, H_out, W_out, 3)``.
        mode: ``'bilinear'`` (trilinear for 5-D), ``'nearest'`` (half to even, as PyTorch) or
            ``'bicubic'`` (4-D).
        padding_mode: ``'zeros'``, ``'border'`` or ``'reflection'`` for locations outside.
        align_corners: -1 and 1 are the corner pixels' centres (True) or outer edges (False,
            the default).

    Example::

        >>> img = ag.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
        >>> F.grid_sample(img, ag.zeros(1, 1, 1, 2), align_corners=False)
        tensor([[[[2.5000]]]])
    """
    if mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
                         f"'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDING:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    nd = input.ndim - 2
    if nd not in (2, 3) or grid.ndim != input.ndim or grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions "
                           f"and grid of shape (N, *, {max(nd, 2)}), but got input with sizes "
                           f"{list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input "
                           f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    align_corners = bool(align_corners)
    sizes = tuple(input.shape[2:])  # (H, W) or (D, H, W)
    spatial_out = tuple(grid.shape[1:-1])
    if mode == "bicubic":
        if nd != 2:
            raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
        return _bicubic(input, grid, sizes, spatial_out, padding_mode, align_corners)
    # grid's last axis is (x, y[, z]): reversed, it lines up with the input's (.., H, W)
    coords = [_source(grid[..., nd - 1 - k], sizes[k], padding_mode, align_corners) for k in range(nd)]
    flat = input.reshape(input.shape[0], input.shape[1], -1)
    if mode == "nearest":  # the picked pixels do not vary with the grid: its gradient is zeros
        return zero_grad_to(_gather(flat, [c.detach().round() for c in coords], sizes, spatial_out), grid)
    lows = [c.detach().floor() for c in coords]
    out = None
    for corner in range(2 ** nd):
        bits = [(corner >> (nd - 1 - k)) & 1 for k in range(nd)]
        weight = None
        for k, b in enumerate(bits):  # the far corner's distance along each axis
            w = coords[k] - lows[k] if b else lows[k] + 1 - coords[k]
            weight = w if weight is None else weight * w
        idx = [lo + b for lo, b in zip(lows, bits)]
        term = _gather(flat, idx, sizes, spatial_out) * weight.unsqueeze(1)
        out = term if out is None else out + term
    return out


def _bicubic(input, grid, sizes, spatial_out, padding_mode, align_corners):
    """Keys' cubic convolution (A = -0.75) over the 4x4 pixels around each location; each tap is
    moved inside by the padding mode, the coordinate itself is not (PyTorch's ``get_value_bounded``)."""
    coords = [_unnormalize(grid[..., 1 - k], sizes[k], align_corners) for k in range(2)]  # y, x
    lows = [c.detach().floor() for c in coords]
    weights = [_cubic_coefficients(c - lo) for c, lo in zip(coords, lows)]
    taps = [[_padded(lo + (i - 1), n, padding_mode, align_corners) for i in range(4)]
            for lo, n in zip(lows, sizes)]
    flat = input.reshape(input.shape[0], input.shape[1], -1)
    out = None
    for i in range(4):
        for j in range(4):
            term = _gather(flat, [taps[0][i], taps[1][j]], sizes, spatial_out)
            term = term * (weights[0][i] * weights[1][j]).unsqueeze(1)
            out = term if out is None else out + term
    return out


def _base_coords(steps, align_corners, like):
    """PyTorch's ``linspace_from_neg_one``: -1..1 (scaled by (n-1)/n without align_corners); 0 if n <= 1."""
    if steps <= 1:
        return ag.zeros(1, dtype=like.dtype, device=like.device)
    line = ag.linspace(-1, 1, steps, dtype=like.dtype, device=like.device)
    return line if align_corners else line * ((steps - 1) / steps)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of a batch of affine transforms, for :func:`grid_sample`.

    Args:
        theta: ``(N, 2, 3)`` for 2-D or ``(N, 3, 4)`` for 3-D transforms.
        size: the target output size, ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        align_corners: as in :func:`grid_sample`. Default: False.

    Returns:
        ``(N, H, W, 2)`` or ``(N, D, H, W, 3)``.

    Example::

        >>> F.affine_grid(ag.tensor([[[1.0, 0, 0], [0, 1, 0]]]), (1, 1, 1, 2), align_corners=False)
        tensor([[[[-0.5000,  0.0000],
                  [ 0.5000,  0.0000]]]])
    """
    size = tuple(int(s) for s in size)
    if not theta.dtype.kind == "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    nd = len(size) - 2
    if nd == 2 and (theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3)):
        raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {list(size)}. Got "
                         f"{list(theta.shape)}.")
    if nd == 3 and (theta.ndim != 3 or tuple(theta.shape[1:]) != (3, 4)):
        raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {list(size)}. Got "
                         f"{list(theta.shape)}.")
    if nd not in (2, 3):
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                                  f"transforms, respectively. Got size {list(size)}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {list(size)}")
    if theta.shape[0] != size[0]:
        raise ValueError(f"Expected theta's batch size {theta.shape[0]} to match size's {size[0]}")
    spatial = size[2:]  # (H, W) or (D, H, W)
    axes = [_base_coords(s, bool(align_corners), theta) for s in reversed(spatial)]  # x, y[, z]
    mesh = ag.meshgrid(*reversed(axes), indexing="ij")  # each of shape spatial; reversed: z, y, x
    cols = list(reversed(mesh)) + [ag.ones(spatial, dtype=theta.dtype, device=theta.device)]
    base = ag.stack(cols, dim=-1).reshape(1, -1, nd + 1)
    grid = base.matmul(theta.transpose(1, 2))  # (N, prod(spatial), nd)
    return grid.reshape((size[0],) + spatial + (nd,))
