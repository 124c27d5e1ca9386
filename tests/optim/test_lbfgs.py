"""LBFGS: PyTorch's trajectory in float64 (Rosenbrock, least squares, a small MLP), and NumPy optima."""
from __future__ import annotations

import os

import numpy as np
import pytest

import autograd as ag
import optim

OPTIONS = [
    {},
    {"line_search_fn": "strong_wolfe"},
    {"history_size": 3, "max_iter": 7, "lr": 0.5},
    {"history_size": 4, "max_iter": 30, "line_search_fn": "strong_wolfe", "tolerance_change": 1e-12},
]


def _rosenbrock(w, lib):
    x = w[0]
    return (1 - x[:-1]) .pow(2).sum() + 100 * (x[1:] - x[:-1] ** 2).pow(2).sum()


def _least_squares(w, lib, data=np.random.default_rng(0).standard_normal((20, 6))):
    a = lib.tensor(data[:, :5])
    b = lib.tensor(data[:, 5])
    return ((a @ w[0] - b) ** 2).sum()


def _mlp(w, lib, data=np.random.default_rng(1).standard_normal((16, 4))):
    x = lib.tensor(data[:, :3])
    y = lib.tensor(data[:, 3:])
    h = lib.tanh(x @ w[0] + w[1])
    return ((h @ w[2] + w[3] - y) ** 2).mean()


def _start(problem):
    rng = np.random.default_rng(2)
    if problem is _rosenbrock:
        return [np.array([-1.2, 1.0, -0.5, 0.8])]
    if problem is _least_squares:
        return [np.zeros(5)]
    return [rng.standard_normal(s) * 0.5 for s in [(3, 5), (5,), (5, 1), (1,)]]


PROBLEMS = [_rosenbrock, _least_squares, _mlp]


def _ag_loss_and_grads(problem, values):
    """The loss and gradients at ``values`` (NumPy arrays), computed by xpgrad."""
    ws = [ag.tensor(v, requires_grad=True) for v in values]
    loss = problem(ws, ag)
    loss.backward()
    return loss.item(), [w.grad.numpy() for w in ws]


def _run(lib, optim_mod, problem, options, steps, shared=False, device=None, nudge=1.0):
    """LBFGS steps on ``problem``; ``shared``: gradients come from xpgrad whatever ``lib`` is,
    so that two libraries' optimizers see bit-identical losses and gradients."""
    kw = {} if device is None else {"device": device}
    ws = [lib.tensor(w.copy(), requires_grad=True, **kw) for w in _start(problem)]
    opt = optim_mod.LBFGS(ws, **options)

    def closure():
        opt.zero_grad()
        if shared:
            loss, grads = _ag_loss_and_grads(problem, [w.detach().cpu().numpy() for w in ws])
            for w, g in zip(ws, grads):
                w.grad = lib.tensor(g * nudge, **kw)
            return lib.tensor(loss, **kw)
        loss = problem(ws, lib)
        loss.backward()
        return loss

    history = []
    for _ in range(steps):
        loss = opt.step(closure)
        history.append((float(loss.detach()), [w.detach().cpu().numpy().copy() for w in ws]))
    return history, opt


def _assert_same(ours, theirs, rtol, atol):
    for step, ((la, wa), (lb, wb)) in enumerate(zip(ours, theirs)):
        assert la == pytest.approx(lb, rel=rtol, abs=atol), f"loss of step {step}"
        for a, b in zip(wa, wb):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"step {step}")


GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lbfgs_golden.npz")


def _key(problem, options):
    return problem.__name__ + "-" + "-".join(f"{k}={v}" for k, v in sorted(options.items()))


def _golden(problem, options, steps):
    """PyTorch 2.13's LBFGS iterates (shared gradients), recorded once: ``{key}/{step}/{loss|i}``."""
    with np.load(GOLDEN) as z:
        key = _key(problem, options)
        return [(float(z[f"{key}/{s}/loss"]), [z[f"{key}/{s}/{i}"] for i in range(len(_start(problem)))])
                for s in range(steps)]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.__name__)
def test_trajectory_matches_torch_float64(problem, options):
    """Given bit-identical losses and gradients, our iterates follow PyTorch's.

    Rosenbrock and the MLP amplify rounding (dot products summed in another
    order) over dozens of iterations, so each step's distance from PyTorch is
    bounded by 1e-9 plus 10 times the largest distance that a one- or two-ulp
    change of the gradients makes to our own trajectory (measured here: from
    1e-16 on least squares to 1e-1 for 120 strong-Wolfe iterations on the MLP;
    PyTorch's distance is within 4 times it everywhere).
    """
    ours, opt = _run(ag, optim, problem, options, steps=4, shared=True)
    try:
        import torch
    except ImportError:  # PyTorch's iterates recorded with tests/optim/lbfgs_golden.npz
        theirs, topt = _golden(problem, options, steps=4), None
    else:
        theirs, topt = _run(torch, torch.optim, problem, options, steps=4, shared=True)
    nudged = [_run(ag, optim, problem, options, steps=4, shared=True, nudge=n)[0]
              for n in (1 + 4.5e-16, 1 - 4.5e-16, 1 + 9e-16)]
    for step, ((la, wa), (lb, wb)) in enumerate(zip(ours, theirs)):
        spread = max(np.abs(a - c).max() for run in nudged for a, c in zip(wa, run[step][1]))
        gap = max(np.abs(a - b).max() for a, b in zip(wa, wb))
        assert gap <= 1e-9 + 10 * spread, f"step {step}: {gap} from PyTorch, rounding spread {spread}"
    assert ours[0][0] == pytest.approx(theirs[0][0], rel=1e-12)  # the first loss: before any update
    if topt is None:
        return
    state, tstate = opt.state[opt._params[0]], topt.state[topt._params[0]]
    assert set(state) == set(tstate)
    if problem is _least_squares:  # well conditioned: the same iterations and evaluations
        assert state["func_evals"] == tstate["func_evals"] and state["n_iter"] == tstate["n_iter"]
        assert len(state["old_dirs"]) == len(tstate["old_dirs"])


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.__name__)
def test_training_with_each_librarys_autograd_matches_torch(problem, options):
    """End to end (each library differentiates its own model): the first steps agree closely; later ones
    drift apart only as fast as rounding differences grow on these ill-conditioned problems."""
    torch = pytest.importorskip("torch")
    ours, _ = _run(ag, optim, problem, options, steps=2)
    theirs, _ = _run(torch, torch.optim, problem, options, steps=2)
    _assert_same(ours, theirs, rtol=1e-6, atol=1e-8)


def test_rosenbrock_reaches_the_minimum():
    history, _ = _run(ag, optim, _rosenbrock, {"line_search_fn": "strong_wolfe", "max_iter": 100}, steps=3)
    np.testing.assert_allclose(history[-1][1][0], np.ones(4), atol=1e-6)


@pytest.mark.parametrize("options", OPTIONS[:2], ids=str)
def test_least_squares_reaches_numpy_solution(options, device):
    data = np.random.default_rng(0).standard_normal((20, 6))
    expected = np.linalg.lstsq(data[:, :5], data[:, 5], rcond=None)[0]
    w = ag.zeros(5, dtype=ag.float64, device=device, requires_grad=True)
    a, b = ag.tensor(data[:, :5], device=device), ag.tensor(data[:, 5], device=device)
    opt = optim.LBFGS([w], **options)

    def closure():
        opt.zero_grad()
        loss = ((a @ w - b) ** 2).sum()
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    best = ((data[:, :5] @ expected - data[:, 5]) ** 2).sum()
    assert closure().item() == pytest.approx(best, rel=1e-9)  # stops on tolerance_change near the optimum
    np.testing.assert_allclose(w.detach().cpu().numpy(), expected, atol=1e-3)
    assert w.grad_fn is None and w.is_leaf


def test_first_iteration_by_hand():
    """One iteration, no line search: ``x -= min(1, 1/|g|_1) * lr * g``."""
    w = ag.tensor([3.0, -4.0], dtype=ag.float64, requires_grad=True)
    opt = optim.LBFGS([w], max_iter=1, lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 25.0
    g = np.array([6.0, -8.0])
    np.testing.assert_allclose(w.detach().numpy(), [3.0, -4.0] - 0.5 / 14.0 * g)


def test_state_dict_round_trip_continues_identically():
    def fresh():
        return _run(ag, optim, _mlp, {"history_size": 5, "max_iter": 5}, steps=2)

    _, opt = fresh()
    sd = opt.state_dict()
    _, other = fresh()
    other.load_state_dict(sd)
    assert other.state[other._params[0]]["n_iter"] == opt.state[opt._params[0]]["n_iter"]
    assert len(other.state[other._params[0]]["old_dirs"]) == len(sd["state"][0]["old_dirs"])


def test_errors():
    w = ag.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [w]}, {"params": [ag.ones(1, requires_grad=True)]}])
    with pytest.raises(ValueError, match="strong_wolfe"):
        optim.LBFGS([w], line_search_fn="backtracking")
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.LBFGS([w], lr=-1)
    with pytest.raises(RuntimeError, match="closure"):
        optim.LBFGS([w]).step()
