"""Op-table entries for ``scaled_dot_product_attention`` (one primitive, autograd/ops/attention.py).

Draws batched queries, keys and values of small sizes, with no mask, a causal
mask, a boolean mask (possibly masking out whole rows: those give zeros, as
PyTorch's safe softmax) or a float mask that receives a gradient.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import autograd as ag
from autograd.ops.attention import scaled_dot_product_attention

from .spec import OpCase, array


@st.composite
def sdpa_inputs(draw):
    lead = draw(st.sampled_from([(), (2,), (1, 2)]))
    length, source = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    e, ev = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    arrays = [draw(array(lead + (length, e))), draw(array(lead + (source, e))),
              draw(array(lead + (source, ev)))]
    kind = draw(st.sampled_from(["none", "causal", "bool", "float"]))
    params = {"scale": draw(st.sampled_from([None, 0.5]))}
    if kind == "causal":
        params["is_causal"] = True
    elif kind == "bool":
        params["bool_mask"] = np.asarray(draw(st.lists(st.booleans(), min_size=length * source,
                                                       max_size=length * source))).reshape(length, source)
    elif kind == "float":
        arrays.append(draw(array((length, source), -2.0, 2.0)))
    return tuple(arrays), params


def _mask(mask, bool_mask, device, lib):
    if bool_mask is not None:
        return ag.tensor(bool_mask, device=device) if lib is ag else lib.tensor(bool_mask)
    return mask


def sdpa(q, k, v, mask=None, bool_mask=None, **kw):
    return scaled_dot_product_attention(q, k, v, attn_mask=_mask(mask, bool_mask, q.device, ag), **kw)


def sdpa_torch(q, k, v, mask=None, bool_mask=None, **kw):
    import torch

    return torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=_mask(mask, bool_mask, None,
                                                                                      torch), **kw)


def sdpa_ref(q, k, v, mask=None, bool_mask=None, is_causal=False, scale=None):
    """The math path in NumPy: masked scores, a softmax that gives 0 on rows with no key left."""
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    s = q @ np.swapaxes(k, -1, -2) * scale
    allowed = np.ones(s.shape[-2:], bool)
    if is_causal:
        allowed = np.tril(allowed)
    if bool_mask is not None:
        allowed = bool_mask
    if mask is not None:
        s = s + mask
    s = np.where(allowed, s, -np.inf)
    m = np.max(s, -1, keepdims=True)
    e = np.exp(s - np.where(np.isfinite(m), m, 0))
    z = e.sum(-1, keepdims=True)
    return (e / np.where(z == 0, 1, z)) @ v


CASES = [
    OpCase("scaled_dot_product_attention", sdpa, sdpa_ref, sdpa_inputs(), torch_fn=sdpa_torch,
           rtol=1e-6, atol=1e-9),
]
