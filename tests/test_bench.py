"""The benchmark runs end to end in its quick mode (so it cannot rot); no timing is asserted."""
from __future__ import annotations

import pytest

from bench.__main__ import WORKLOADS, main


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_bench_quick_mode_runs(name, capsys):
    rows = main(["--quick", "--only", name])
    out = capsys.readouterr().out
    assert name in out and "xpgrad" in out
    row = rows[name]
    assert row["xpgrad"] > 0
    assert row["numpy"] is not None and row["numpy"] > 0


def test_cpu_time_mode_times_with_the_process_clock(capsys, monkeypatch):
    import time

    from bench import common

    monkeypatch.setattr(common, "CLOCK", common.CLOCK)  # restored after the test
    rows = main(["--quick", "--only", "mlp", "--no-memory", "--cpu-time"])
    assert common.CLOCK is time.process_time
    assert "CPU time" in capsys.readouterr().out and rows["mlp"]["xpgrad"] > 0


def test_mlp_floor_gradient_formula_matches_the_engine():
    """The floor's output-layer gradient (softmax minus one-hot, averaged) is the engine's."""
    import numpy as np

    import autograd as ag
    import nn
    import nn.functional as F
    from bench import mlp

    x, y = mlp.data()
    rng = np.random.default_rng(1)
    sizes = mlp.SIZES
    Ws = [rng.standard_normal((a, b)).astype(np.float32) * np.float32(a ** -0.5)
          for a, b in zip(sizes[:-1], sizes[1:])]
    layers = []
    for W in Ws:
        lin = nn.Linear(*W.shape)
        with ag.no_grad():
            lin.weight.copy_(ag.tensor(W.T.copy()))
            lin.bias.zero_()
        layers += [lin, nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    loss = F.cross_entropy(model(ag.tensor(x)), ag.tensor(y))
    loss.backward()
    # the floor's gradient of the last layer's bias is softmax - onehot, averaged
    logits = model(ag.tensor(x)).detach().numpy()
    e = np.exp(logits - logits.max(1, keepdims=True))
    p = e / e.sum(1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    np.testing.assert_allclose(model[-1].bias.grad.numpy(), p.mean(0), rtol=1e-4, atol=1e-6)


def test_attention_floor_gradients_match_the_engine():
    """The hand-written GPT-block floor computes the engine's loss and every parameter gradient."""
    import numpy as np

    import autograd as ag
    import nn
    import nn.functional as F
    from bench import attention

    params = attention.init_params()
    rng = np.random.default_rng(3)
    params = {k: v + (rng.standard_normal(v.shape) * 0.1).astype(np.float32) for k, v in params.items()}
    block = attention.make_block(nn, F)
    block.load_state_dict({k: ag.tensor(v) for k, v in params.items()})
    x = attention.data()
    loss = (block(ag.tensor(x)) ** 2).mean()
    loss.backward()
    floor_loss, grads = attention.loss_and_grads(params, x)
    np.testing.assert_allclose(floor_loss, loss.item(), rtol=1e-5)
    for name, p in block.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), rtol=1e-3, atol=1e-6, err_msg=name)


def test_tiny_ops_floor_gradient_is_the_engines_and_overhead_table_adds_up():
    """bench.overhead's NumPy floor computes the engine's gradient, and its parts sum to the total."""
    import numpy as np

    import autograd as ag
    from bench import overhead, tiny_ops

    x0 = np.linspace(-1, 1, 8, dtype=np.float32)
    x = ag.tensor(x0, requires_grad=True)
    tiny_ops._chain(x, ag.tanh, ag.exp).sum().backward()
    np.testing.assert_allclose(tiny_ops.numpy_backward(tiny_ops.numpy_forward(x0)), x.grad.numpy(), rtol=1e-5)
    total, rows = overhead.bytecodes()
    assert "function.py:apply" in [name for name, _ in rows] and total >= sum(n for _, n in rows) > 0
    t = overhead.stages(reps=2)
    parts = sum(v for _, v in overhead.table(t))
    assert abs(parts - t["both"] * 1e6) < 1e-6 * max(1.0, parts)


def test_peers_are_timed_in_alternating_rounds():
    """One run of each peer per round, the order reversed every round, one median per peer."""
    from bench.common import timeit_interleaved

    calls = []
    steps = [lambda: calls.append("xp"), lambda: calls.append("np"), lambda: calls.append("torch")]
    medians = timeit_interleaved(steps, reps=2, warmup=1)
    assert len(medians) == 3 and all(m >= 0 for m in medians)
    assert calls == ["xp", "np", "torch"] + ["xp", "np", "torch"] + ["torch", "np", "xp"]


def test_peers_of_different_thread_pools_are_never_interleaved():
    """xpgrad and the floor (NumPy's OpenBLAS) alternate step by step; PyTorch (its own pool) runs
    in separate phases, each after a pause and one untimed round, the pools' order alternating."""
    from bench.common import timeit_interleaved

    calls = []
    steps = [lambda: calls.append("xp"), lambda: calls.append("np"), lambda: calls.append("torch")]
    medians = timeit_interleaved(steps, reps=4, warmup=1, pools=["numpy", "numpy", "torch"],
                                 phases=2, pause=0.0)
    assert len(medians) == 3 and all(m >= 0 for m in medians)
    warm, untimed_np, untimed_torch = ["xp", "np", "torch"], ["xp", "np"], ["torch"]
    phase1 = untimed_np + ["xp", "np", "np", "xp"] + untimed_torch + ["torch", "torch"]
    phase2 = untimed_torch + ["torch", "torch"] + untimed_np + ["xp", "np", "np", "xp"]
    assert calls == warm + phase1 + phase2


def test_mlp_replica_is_the_engines_step():
    """bench.mlp_anatomy's NumPy replica takes the engine's SGD step: same loss, same weights
    after it (so replica vs engine isolates the engine's Python, replica vs floor the kernels)."""
    import numpy as np

    from bench import mlp, mlp_anatomy

    model, opt, x, y = mlp.xpgrad_parts("cpu")
    params = [p._data.copy() for p in model.parameters()]
    step = mlp_anatomy.replica_step(params)
    step()
    import nn.functional as F

    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    np.testing.assert_allclose(step.loss, loss.item(), rtol=1e-6)
    for ours, theirs in zip(model.parameters(), params):
        np.testing.assert_allclose(theirs, ours.detach().numpy(), rtol=1e-5, atol=1e-7)


def test_mlp_anatomy_runs(capsys):
    from bench import mlp_anatomy

    out = mlp_anatomy.main(["--reps", "3"])
    printed = capsys.readouterr().out
    assert "engine Python" in printed and "cross_entropy" in printed
    assert out["xpgrad"] > 0 and out["replica"] > 0 and out["floor"] > 0
    assert ("xpgrad", "Linear 0") in out["pieces"] and ("replica", "cross_entropy") in out["pieces"]
