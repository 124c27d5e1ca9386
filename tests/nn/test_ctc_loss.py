"""F.ctc_loss and nn.CTCLoss against PyTorch's: values and gradients on the same inputs.

Gradients are compared twice: with respect to the logits (through ``log_softmax``, how CTC is
used) and with respect to ``log_probs`` themselves, where PyTorch's gradient is its kernel's
formula ``exp(lp) - posterior / exp(lp)`` rather than the exact derivative: xpgrad gives the same.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _host(t):
    return t.detach().cpu().numpy()


def _targets(rng, n, s, c, blank):
    """Random labels in [0, C) other than ``blank``."""
    t = rng.integers(0, c - 1, (n, s))
    return t + (t >= blank)


def _check(
    logits,
    targets,
    input_lengths,
    target_lengths,
    device="cpu",
    blank=0,
    reduction="mean",
    zero_infinity=False,
    concat=False,
    tol=1e-10,
):
    """Loss and both gradients (logits, log_probs) of xpgrad and PyTorch agree; returns xpgrad's loss."""
    targets = np.asarray(targets)
    if concat:
        targets = np.concatenate([targets[n, :k] for n, k in enumerate(target_lengths)]).astype(np.int64)
    tx = torch.tensor(logits, requires_grad=True)
    tlp = tx.log_softmax(-1)
    tlp.retain_grad()
    tloss = TF.ctc_loss(
        tlp, torch.tensor(targets), input_lengths, target_lengths, blank, reduction, zero_infinity
    )
    up = np.random.default_rng(1).standard_normal(tuple(tloss.shape)).astype(logits.dtype)
    tloss.backward(torch.tensor(up))

    x = ag.tensor(logits, requires_grad=True, device=device)
    lp = x.log_softmax(-1)
    lp.retain_grad()
    to_dev = (
        (lambda v: ag.tensor(np.asarray(v.numpy()), device=device))
        if isinstance(input_lengths, torch.Tensor)
        else (lambda v: v)
    )
    loss = F.ctc_loss(
        lp,
        ag.tensor(targets, device=device),
        to_dev(input_lengths),
        to_dev(target_lengths),
        blank,
        reduction,
        zero_infinity,
    )
    loss.backward(ag.tensor(up, device=device))
    assert loss.dtype == tloss.detach().numpy().dtype and tuple(loss.shape) == tuple(tloss.shape)
    for what, got, want in (
        ("loss", loss, tloss),
        ("d/dlog_probs", lp.grad, tlp.grad),
        ("d/dlogits", x.grad, tx.grad),
    ):
        np.testing.assert_allclose(_host(got), want.detach().numpy(), rtol=tol, atol=tol, err_msg=what)
    return loss


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("concat", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_torch_on_random_batches(device, reduction, concat, dtype):
    rng = np.random.default_rng(0)
    T, N, C, S = 12, 4, 6, 5
    logits = rng.standard_normal((T, N, C)).astype(dtype)
    _check(
        logits,
        _targets(rng, N, S, C, 0),
        (12, 10, 7, 3),
        (5, 3, 4, 0),
        device,
        reduction=reduction,
        concat=concat,
        tol=1e-10 if dtype == np.float64 else 2e-5,
    )


def test_repeated_labels_need_a_blank_between_them(device):
    rng = np.random.default_rng(2)
    targets = np.array([[1, 1, 1], [2, 2, 3], [3, 1, 3], [2, 2, 2]])
    # 3 repeats need 5 frames: (5, 3) is exactly feasible, (4, 3) impossible without a blank between
    loss = _check(
        rng.standard_normal((7, 4, 4)), targets, (5, 7, 3, 4), (3, 3, 3, 3), device, reduction="none"
    )
    assert np.isfinite(_host(loss)[:3]).all() and _host(loss)[3] == np.inf


def test_value_is_the_sum_over_alignments():
    # T=3, target "1": the alignments 1--, -1-, --1, 11-, -11, 111 (with "-" the blank)
    p = np.array([[0.6, 0.4], [0.3, 0.7], [0.5, 0.5]])
    paths = ["100", "010", "001", "110", "011", "111"]
    prob = sum(np.prod([p[t, int(k)] for t, k in enumerate(path)]) for path in paths)
    loss = F.ctc_loss(ag.tensor(np.log(p)[:, None]), ag.tensor([[1]]), (3,), (1,), reduction="sum")
    np.testing.assert_allclose(loss.item(), -np.log(prob), rtol=1e-12)


@pytest.mark.parametrize("concat", [False, True])
def test_empty_targets_and_short_inputs(device, concat):
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((8, 5, 5))
    # input lengths 0..8 (0: loss 0 for an empty target, inf otherwise), target lengths 0 included
    loss = _check(
        logits,
        _targets(rng, 5, 3, 5, 0),
        (8, 1, 0, 0, 5),
        (0, 0, 0, 2, 3),
        device,
        reduction="none",
        concat=concat,
    )
    out = _host(loss)
    assert out[2] == 0 and np.signbit(out[2]) and out[3] == np.inf  # PyTorch's -0.0 and inf


@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_impossible_alignment(device, zero_infinity, reduction):
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((6, 3, 4))
    targets = np.array([[1, 2, 3, 1], [1, 2, 2, 3], [3, 3, 1, 2]])
    # sample 0: 4 labels in 3 frames; sample 2: "33" needs a blank between, 3 labels + 1 > 3 frames
    loss = _check(
        logits, targets, (3, 6, 3), (4, 4, 3), device, reduction=reduction, zero_infinity=zero_infinity
    )
    if zero_infinity:
        assert np.isfinite(_host(loss)).all()


def test_impossible_alignment_gradient_is_nan_on_its_frames_only():
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((5, 2, 3))
    g = ag.tensor(logits, requires_grad=True)
    F.ctc_loss(
        g.log_softmax(2), ag.tensor([[1, 2, 1], [1, 2, 1]]), (2, 5), (3, 3), reduction="sum"
    ).backward()
    grad = _host(g.grad)
    assert np.isnan(grad[:2, 0]).all() and (grad[2:, 0] == 0).all() and np.isfinite(grad[:, 1]).all()
    # NaN even with a zero upstream gradient (PyTorch multiplies NaN by 0 too)
    x, t = ag.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    F.ctc_loss(x.log_softmax(2), ag.tensor([[1, 2, 1], [1, 2, 1]]), (2, 5), (3, 3), reduction="none")[
        1
    ].backward()
    TF.ctc_loss(t.log_softmax(2), torch.tensor([[1, 2, 1], [1, 2, 1]]), (2, 5), (3, 3), reduction="none")[
        1
    ].backward()
    np.testing.assert_allclose(_host(x.grad), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert np.isnan(_host(x.grad)[:2, 0]).all()


def test_minus_inf_log_probability_gives_nan_where_torch_does():
    lp = np.log(np.random.default_rng(6).dirichlet(np.ones(4), size=(6, 2)))
    lp[1, 0, 2] = lp[3, 1, 0] = -np.inf
    _check_leaf_log_probs(lp, np.array([[1, 3], [2, 1]]), (6, 6), (2, 2))


def _check_leaf_log_probs(lp, targets, il, tl, **kw):
    t = torch.tensor(lp, requires_grad=True)
    TF.ctc_loss(t, torch.tensor(targets), il, tl, **kw).backward()
    x = ag.tensor(lp, requires_grad=True)
    F.ctc_loss(x, ag.tensor(targets), il, tl, **kw).backward()
    np.testing.assert_allclose(_host(x.grad), t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_blank_not_zero(device):
    rng = np.random.default_rng(7)
    for blank in (2, 4):
        _check(
            rng.standard_normal((9, 3, 5)),
            _targets(rng, 3, 4, 5, blank),
            (9, 8, 6),
            (4, 2, 3),
            device,
            blank=blank,
            reduction="sum",
        )
        _check(
            rng.standard_normal((9, 3, 5)),
            _targets(rng, 3, 4, 5, blank),
            (9, 8, 6),
            (4, 2, 3),
            device,
            blank=blank,
            reduction="mean",
            concat=True,
        )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_unbatched(device, reduction):
    rng = np.random.default_rng(8)
    logits, targets = rng.standard_normal((7, 5)), _targets(rng, 1, 3, 5, 0)
    _check(logits, targets[0], (7,), (3,), device, reduction=reduction)  # 1-D targets
    _check(logits, targets, (6,), (2,), device, reduction=reduction)  # (1, S) padded targets
    _check(logits, targets[0], torch.tensor(7), torch.tensor(3), device, reduction=reduction)  # 0-d lengths


def test_lengths_as_tensors_and_lists(device):
    rng = np.random.default_rng(9)
    logits, targets = rng.standard_normal((6, 3, 4)), _targets(rng, 3, 2, 4, 0)
    _check(logits, targets, torch.tensor([6, 4, 5]), torch.tensor([2, 1, 2]), device)
    _check(logits, targets, [6, 4, 5], [2, 1, 2], device)
    _check(logits, targets, (np.int64(6), np.int32(4), 5), [2, 1, np.int64(2)], device)  # NumPy integers
    _check(
        logits,
        targets,
        torch.tensor([6, 4, 5], dtype=torch.int32),
        torch.tensor([2, 1, 2], dtype=torch.int32),
    )


def test_int32_targets_and_module():
    rng = np.random.default_rng(10)
    lp = np.log(rng.dirichlet(np.ones(5), size=(8, 2)))
    targets = _targets(rng, 2, 3, 5, 1)
    for kw in ({}, {"blank": 1, "reduction": "sum"}, {"zero_infinity": True, "reduction": "none"}):
        t = torch.nn.CTCLoss(**kw)(torch.tensor(lp), torch.tensor(targets, dtype=torch.int32), (8, 2), (3, 3))
        ours = nn.CTCLoss(**kw)(ag.tensor(lp), ag.tensor(targets, dtype=ag.int32), (8, 2), (3, 3))
        np.testing.assert_allclose(_host(ours), t.numpy(), rtol=1e-12)
    m = nn.CTCLoss(blank=3, reduction="sum", zero_infinity=True)
    assert (m.blank, m.reduction, m.zero_infinity) == (3, "sum", True)
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        nn.CTCLoss(reduction="foo")


def test_double_backward_raises_as_torch(device):
    logits = np.random.default_rng(11).standard_normal((5, 2, 4))
    x = ag.tensor(logits, requires_grad=True, device=device)
    targets = [[1, 2], [3, 3]]
    loss = F.ctc_loss(x.log_softmax(2), ag.tensor(targets, device=device), (5, 3), (2, 1), reduction="sum")
    (g,) = ag.grad(loss, x, create_graph=True)
    t = torch.tensor(logits, requires_grad=True)
    tloss = TF.ctc_loss(t.log_softmax(2), torch.tensor(targets), (5, 3), (2, 1), reduction="sum")
    (tg,) = torch.autograd.grad(tloss, t, create_graph=True)
    assert g.requires_grad and tg.requires_grad
    # the recorded (Tensor) backward gives the same first derivative as the array one
    np.testing.assert_allclose(_host(g), tg.detach().numpy(), rtol=1e-10, atol=1e-12)
    with pytest.raises(RuntimeError, match="not implemented"):
        tg.sum().backward()
    with pytest.raises(RuntimeError, match="ctc_loss's backward .* is not implemented"):
        g.sum().backward()


def test_gradcheck_through_log_softmax():
    targets, il, tl = ag.tensor([[1, 1], [2, 0]]), (4, 3), (2, 1)
    x = ag.tensor(np.random.default_rng(12).standard_normal((4, 2, 3)), requires_grad=True)
    for red in ("mean", "sum", "none"):
        assert ag.gradcheck(
            lambda v, red=red: F.ctc_loss(v.log_softmax(2), targets, il, tl, reduction=red), (x,)
        )


def _raises(exc, match, *args, **kw):
    with pytest.raises(exc, match=match):
        F.ctc_loss(*args, **kw)


def test_errors_as_torch():
    lp = ag.tensor(np.log(np.full((6, 2, 4), 0.25)))
    tg = ag.tensor([[1, 2, 3], [2, 3, 1]])
    _raises(
        RuntimeError,
        "Expected input_lengths to have value at most 6, but got value 7",
        lp,
        tg,
        (7, 5),
        (3, 2),
    )
    _raises(
        RuntimeError,
        "Expected input_lengths to have value at least 0, but got value -1",
        lp,
        tg,
        (-1, 5),
        (3, 2),
    )
    _raises(
        RuntimeError,
        "Expected tensor to have size at least 4 at dimension 1, but got size 3 for argument #2 'targets'",
        lp,
        tg,
        (6, 5),
        (4, 2),
    )
    _raises(
        RuntimeError,
        "Expected target_lengths to have value at least 0, but got value -1",
        lp,
        tg,
        (6, 5),
        (-1, 2),
    )
    _raises(RuntimeError, "blank must be in label range", lp, tg, (6, 5), (3, 2), blank=4)
    _raises(RuntimeError, "blank must be in label range", lp, tg, (6, 5), (3, 2), blank=-1)
    _raises(RuntimeError, "input_lengths must be of size batch_size", lp, tg, (6, 5, 4), (3, 2))
    _raises(RuntimeError, "target_lengths must be of size batch_size", lp, tg, (6, 5), (3,))
    _raises(
        RuntimeError,
        "Expected 3-dimensional tensor, but got 5-dimensional tensor for argument #1 'log_probs'",
        lp.reshape(1, 1, 6, 2, 4),
        tg,
        (6, 5),
        (3, 2),
    )
    _raises(
        RuntimeError,
        "Expected 1 to 2 dimensions, but got 3-dimensional tensor for argument #2 'targets'",
        lp,
        tg.unsqueeze(0),
        (6, 5),
        (3, 2),
    )
    _raises(
        RuntimeError,
        "Expected tensor to have size 5 at dimension 0, but got size 4",
        lp,
        tg.reshape(-1)[:4],
        (6, 5),
        (3, 2),
    )
    _raises(
        RuntimeError,
        "Expected tensor to have size 2 at dimension 0, but got size 1",
        lp,
        tg[:1],
        (6, 5),
        (3, 2),
    )
    _raises(RuntimeError, "input_lengths must be integral", lp, tg, ag.tensor([6.0, 5.0]), ag.tensor([3, 2]))
    _raises(RuntimeError, "target_lengths must be integral", lp, tg, ag.tensor([6, 5]), ag.tensor([3.0, 2.0]))
    _raises(TypeError, "both be Tensors or both be tuples", lp, tg, ag.tensor([6, 5]), (3, 2))
    _raises(TypeError, "input_lengths must be a tuple or list of ints", lp, tg, (6.0, 5.0), (3, 2))
    _raises(TypeError, "input_lengths must be a tuple or list of ints", lp, tg, 6, 3)
    _raises(TypeError, r"target_lengths must be .* got tuple of \(bool, int\)", lp, tg, (6, 5), (True, 2))
    _raises(ValueError, "foo is not a valid value for reduction", lp, tg, (6, 5), (3, 2), reduction="foo")
    _raises(NotImplementedError, "not implemented for 'Half'", lp.half(), tg, (6, 5), (3, 2))
    _raises(NotImplementedError, "not implemented for 'Long'", lp.long(), tg, (6, 5), (3, 2))
    _raises(RuntimeError, "log_probs tensor must not be empty", lp[:0], tg, (0, 0), (3, 2))
    _raises(
        IndexError,
        r"targets must be class indices in \[0, 4\), got labels from 3 to 7",
        lp,
        tg * 2 + 1,
        (6, 5),
        (3, 2),
    )
    # labels past a sample's target length are padding and never read
    ok = F.ctc_loss(lp, ag.tensor([[1, 2, 99], [2, -5, 99]]), (6, 5), (2, 1), reduction="none")
    want = TF.ctc_loss(
        torch.tensor(lp.numpy()), torch.tensor([[1, 2, 0], [2, 0, 0]]), (6, 5), (2, 1), reduction="none"
    )
    np.testing.assert_allclose(ok.numpy(), want.numpy(), rtol=1e-12)


def test_training_a_bilstm_matches_torch_step_by_step():
    T, N, F_IN, H, C = 10, 3, 4, 5, 5
    torch.manual_seed(0)
    tlstm = torch.nn.LSTM(F_IN, H, bidirectional=True).double()
    tlin = torch.nn.Linear(2 * H, C).double()
    lstm, lin = nn.LSTM(F_IN, H, bidirectional=True).double(), nn.Linear(2 * H, C).double()
    for mine, theirs in ((lstm, tlstm), (lin, tlin)):
        mine.load_state_dict(
            {k: ag.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()}
        )
    rng = np.random.default_rng(13)
    frames = rng.standard_normal((T, N, F_IN))
    targets, il, tl = _targets(rng, N, 4, C, 0), (10, 8, 6), (4, 3, 2)
    params = list(lstm.parameters()) + list(lin.parameters())
    tparams = list(tlstm.parameters()) + list(tlin.parameters())
    import optim

    opt, topt = optim.Adam(params, lr=0.05), torch.optim.Adam(tparams, lr=0.05)
    ctc, tctc = nn.CTCLoss(), torch.nn.CTCLoss()
    losses, tlosses = [], []
    for _ in range(5):
        opt.zero_grad()
        loss = ctc(lin(lstm(ag.tensor(frames))[0]).log_softmax(2), ag.tensor(targets), il, tl)
        loss.backward()
        opt.step()
        topt.zero_grad()
        tloss = tctc(tlin(tlstm(torch.tensor(frames))[0]).log_softmax(2), torch.tensor(targets), il, tl)
        tloss.backward()
        topt.step()
        losses.append(loss.item())
        tlosses.append(tloss.item())
    np.testing.assert_allclose(losses, tlosses, rtol=1e-9)
    assert losses[-1] < losses[0]


def test_docstring_examples_run():
    from test_instance_norm import run_doctests

    from nn.functional import loss_ctc as functional_loss_ctc
    from nn.modules import loss_ctc

    run_doctests(functional_loss_ctc, loss_ctc)
