"""Differences from PyTorch 2.13 found by differential sweeps of nn layers and nn.functional
(attention, transformer layers, embeddings, losses, distances, packed sequences, clip_grad);
each case compares values and gradients against PyTorch."""
import numpy as np
import pytest

import autograd as ag
import nn.functional as F

torch = pytest.importorskip("torch")


def _close(t, a, **kw):
    if t is None or a is None:
        assert t is None and a is None
        return
    a = np.asarray(a.detach().numpy())
    t = t.detach().numpy()
    assert a.shape == t.shape and a.dtype == t.dtype
    np.testing.assert_allclose(a, t, rtol=1e-7, atol=1e-12, **kw)


@pytest.mark.parametrize("shapes, dim, eps", [
    (((1, 4), (1, 1)), -1, 1e-8),  # x2 broadcast along the reduced dim
    (((2, 3), (1, 3)), 0, 1e-8),
    (((3,), (2, 3)), 0, 1e-8),  # x1 broadcast to more dims, dim counted on the broadcast shape
    (((), ()), -1, 0.5),  # norms below eps: the value is clamped, the gradient is the unclamped norm's
    (((2, 3), (2, 3)), 1, 10.0),
])
def test_cosine_similarity_broadcasts_first_and_clamps_norm_in_value_only(shapes, dim, eps):
    # (1, 4) vs (1, 1) gave 1.8257 (x2's norm taken over its one element), PyTorch 0.9129;
    # a 0-d 0.3 vs -0.2 with eps=0.5 had gradients (-0.8, 1.2), PyTorch (-0.32, 0.72)
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s) * 0.3 for s in shapes)
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (a, b))
    xa, xb = (ag.tensor(v, requires_grad=True) for v in (a, b))
    to = torch.nn.functional.cosine_similarity(ta, tb, dim=dim, eps=eps)
    xo = F.cosine_similarity(xa, xb, dim=dim, eps=eps)
    wt = rng.standard_normal(tuple(to.shape))
    (to * torch.tensor(wt)).sum().backward()
    (xo * ag.tensor(wt)).sum().backward()
    _close(to, xo)
    _close(ta.grad, xa.grad)
    _close(tb.grad, xb.grad)


@pytest.mark.parametrize("api", ["hook", "parametrization"])
def test_weight_norm_dim_out_of_range_raises_as_torch(api):
    # parametrizations.weight_norm(Linear, dim=2) wrapped dim 2 to 0 and ran; PyTorch raises IndexError
    import nn
    fn = nn.utils.weight_norm if api == "hook" else nn.utils.parametrizations.weight_norm
    with pytest.raises(IndexError, match="Dimension out of range"):
        fn(nn.Linear(3, 4), dim=2)(ag.ones(2, 3))
    assert fn(nn.Linear(3, 4), dim=-2)(ag.ones(2, 3)).shape == (2, 4)


@pytest.mark.parametrize("delta", [0.0, -1.0])
def test_huber_loss_non_positive_delta_raises_as_torch(delta):
    # huber_loss(delta=-1) returned a (negative) loss, delta=0 a zero loss; PyTorch raises
    x = ag.tensor([0.5, -1.0, 2.0])
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        F.huber_loss(x, ag.zeros(3), delta=delta)


def test_cross_entropy_probability_target_with_ignore_index_raises_as_torch():
    # the ignore_index was silently not applied to probability targets; PyTorch raises
    x = ag.tensor([[1.0, 2.0, 0.5]])
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
        F.cross_entropy(x, x.softmax(1), ignore_index=1)
    assert F.cross_entropy(x, x.softmax(1), ignore_index=-100).shape == ()


def _encoders(mask_check=True, norm_first=False):
    import nn
    torch.manual_seed(0)
    t = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True, norm_first=norm_first,
                                         dtype=torch.float64),
        2, norm=torch.nn.LayerNorm(4, dtype=torch.float64), mask_check=mask_check)
    x = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True, norm_first=norm_first, dtype=ag.float64),
        2, norm=nn.LayerNorm(4, dtype=ag.float64), mask_check=mask_check)
    x.load_state_dict({k: ag.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return t.eval(), x.eval()


@pytest.mark.parametrize("mask_check, pad", [
    (True, [[0, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 1]]),
    (False, [[0, 1, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0]]),  # unchecked: PyTorch keeps the first 2/4/3 tokens
    (True, [[0, 1, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0]]),  # not left-aligned: no fast path, no zeros
])
@pytest.mark.filterwarnings("ignore")
def test_transformer_encoder_inference_fast_path_zeros_padding_as_torch(mask_check, pad):
    # TransformerEncoder (enable_nested_tensor=True, batch_first, eval, no_grad) with a padding mask:
    # PyTorch runs nested tensors and returns zeros (then norm) at the padded positions; they held
    # the attention outputs of the padded tokens (e.g. 1.82 vs 0 at [0, 2:])
    t, x = _encoders(mask_check)
    src = np.random.default_rng(0).standard_normal((3, 4, 4))
    pad = np.array(pad, bool)
    with torch.no_grad():
        to = t(torch.tensor(src), src_key_padding_mask=torch.tensor(pad))
    with ag.no_grad():
        xo = x(ag.tensor(src), src_key_padding_mask=ag.tensor(pad))
    _close(to, xo, equal_nan=True)
    # with a gradient to record, PyTorch takes the ordinary path (no zeros)
    to = t(torch.tensor(src, requires_grad=True), src_key_padding_mask=torch.tensor(pad))
    xo = x(ag.tensor(src, requires_grad=True), src_key_padding_mask=ag.tensor(pad))
    _close(to, xo, equal_nan=True)


def test_embedding_bag_include_last_offset_beyond_input_raises_as_torch():
    # offsets[-1] past the input's end was ignored (the last bag ended at the input's end); PyTorch raises
    w = ag.ones(6, 2)
    with pytest.raises(RuntimeError, match=r"offsets\[-1\] can not be greater than input's length 4"):
        F.embedding_bag(ag.tensor([0, 5, 5, 5]), w, ag.tensor([0, 5]), mode="sum", include_last_offset=True)
    out = F.embedding_bag(ag.tensor([0, 5, 5, 5]), w, ag.tensor([0, 1, 4]), mode="sum",
                          include_last_offset=True)
    assert out.tolist() == [[1.0, 1.0], [3.0, 3.0]]


@pytest.mark.parametrize("reduction", ["none", "mean"])
@pytest.mark.parametrize("dt_in, dt_t, dt_w, dt_pw", [
    ("float32", "float64", None, None),  # float32 logits, float64 targets (from NumPy): a float64 loss
    ("float64", "float32", None, None),
    ("float32", "float32", "float64", None),
    ("float64", "float32", None, "float64"),
    ("float32", "float64", "float32", "float32"),
])
def test_bce_with_logits_loss_has_the_targets_dtype_as_torch(reduction, dt_in, dt_t, dt_w, dt_pw):
    # the loss had the input's dtype (float32 for float32 logits and float64 targets); PyTorch's is the
    # target's (it builds the loss in place on 1 - target)
    rng = np.random.default_rng(0)
    x, y, w, pw = rng.standard_normal((2, 3)), rng.random((2, 3)), rng.random((2, 3)), rng.random(3)
    tx, xx = torch.tensor(x, dtype=getattr(torch, dt_in), requires_grad=True), ag.tensor(x.astype(dt_in),
                                                                                       requires_grad=True)
    kw_t, kw_x = {}, {}
    if dt_w:
        kw_t["weight"], kw_x["weight"] = (torch.tensor(w, dtype=getattr(torch, dt_w)),
                                          ag.tensor(w.astype(dt_w)))
    if dt_pw:
        kw_t["pos_weight"], kw_x["pos_weight"] = (torch.tensor(pw, dtype=getattr(torch, dt_pw)),
                                                  ag.tensor(pw.astype(dt_pw)))
    to = torch.nn.functional.binary_cross_entropy_with_logits(
        tx, torch.tensor(y, dtype=getattr(torch, dt_t)), reduction=reduction, **kw_t)
    xo = F.binary_cross_entropy_with_logits(xx, ag.tensor(y.astype(dt_t)), reduction=reduction, **kw_x)
    to.sum().backward()
    xo.sum().backward()
    assert str(xo.dtype) == str(to.dtype).split(".")[-1]
    np.testing.assert_allclose(xo.detach().numpy(), to.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(xx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-7)
    assert str(xx.grad.dtype) == dt_in


@pytest.mark.parametrize("dt_in, dt_w", [("float32", "float64"), ("float64", "float32")])
def test_bce_loss_keeps_the_inputs_dtype_with_a_weight_as_torch(dt_in, dt_w):
    # a float64 weight made the float32 loss float64; PyTorch weighs in place (input's dtype)
    p = np.array([[0.2, 0.7], [0.9, 0.4]])
    to = torch.nn.functional.binary_cross_entropy(
        torch.tensor(p, dtype=getattr(torch, dt_in)), torch.tensor(1 - p, dtype=getattr(torch, dt_in)),
        weight=torch.tensor(p, dtype=getattr(torch, dt_w)))
    xo = F.binary_cross_entropy(ag.tensor(p.astype(dt_in)), ag.tensor((1 - p).astype(dt_in)),
                                weight=ag.tensor(p.astype(dt_w)))
    assert str(xo.dtype) == str(to.dtype).split(".")[-1]
    np.testing.assert_allclose(xo.numpy(), to.numpy(), rtol=1e-6)


def test_soft_margin_loss_has_the_inputs_dtype_as_torch():
    # float32 scores with float64 +-1 targets gave a float64 loss; PyTorch's is float32
    x, y = np.array([[0.5, -1.0], [2.0, 0.1]]), np.array([[1.0, -1.0], [-1.0, 1.0]])
    to = torch.nn.functional.soft_margin_loss(torch.tensor(x, dtype=torch.float32), torch.tensor(y))
    xo = F.soft_margin_loss(ag.tensor(x.astype("float32")), ag.tensor(y))
    assert str(xo.dtype) == "float32" == str(to.dtype).split(".")[-1]
    np.testing.assert_allclose(xo.numpy(), to.numpy(), rtol=1e-6)
