"""The backward engine: graph shapes, accumulation, memory, hooks, higher order, in-place checks."""
from __future__ import annotations

import gc
import threading
import time
import weakref

import numpy as np
import pytest

import autograd as ag
from autograd.testing import assert_close


def leaf(values, device, dtype=ag.float64):
    return ag.tensor(values, dtype=dtype, device=device, requires_grad=True)


def host(t):
    return t.detach().cpu().numpy()


# ---------------------------------------------------------------- graph shapes
def test_diamond_graph(device):
    x = leaf([1.0, -2.0, 3.0], device)
    a = x * 2
    b = x.sin()
    y = (a * b + a).sum()
    y.backward()
    xv = np.array([1.0, -2.0, 3.0])
    # y = sum(2x sin x + 2x)
    assert_close(x.grad, 2 * np.sin(xv) + 2 * xv * np.cos(xv) + 2)


def test_reused_non_leaf(device):
    x = leaf([0.5, 1.5], device)
    h = x.exp()
    y = (h * h + h + h.sin()).sum()
    y.backward()
    hv = np.exp([0.5, 1.5])
    assert_close(x.grad, (2 * hv + 1 + np.cos(hv)) * hv)


def test_same_tensor_twice_in_one_op(device):
    x = leaf([3.0], device)
    (x * x).sum().backward()
    assert_close(x.grad, [6.0])


def test_accumulates_over_two_backward_calls(device):
    x = leaf([1.0, 2.0], device)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    assert_close(x.grad, [3 + 2.0, 3 + 4.0])


def test_broadcast_gradient_is_summed_to_input_shape(device):
    x = leaf(np.arange(6.0).reshape(2, 3), device)
    b = leaf([1.0, 2.0, 3.0], device)
    s = leaf(2.0, device)
    (x * b * s).sum().backward()
    assert b.grad.shape == (3,) and s.grad.shape == ()
    assert_close(b.grad, 2 * np.arange(6.0).reshape(2, 3).sum(0))
    assert_close(s.grad, (np.arange(6.0).reshape(2, 3) * [1, 2, 3]).sum())


def test_gradient_dtype_matches_input_dtype(device):
    x = leaf([1.0, 2.0], device, dtype=ag.float32)
    y = leaf([1.0, 2.0], device, dtype=ag.float64)
    (x * y).sum().backward()
    assert x.grad.dtype == ag.float32 and y.grad.dtype == ag.float64
    assert x.grad.device == ag.device(device)


def test_leaf_backward_directly(device):
    x = leaf([1.0, 2.0], device)
    x.backward(ag.tensor([3.0, 4.0], dtype=ag.float64, device=device))
    assert_close(x.grad, [3.0, 4.0])


def test_backward_with_gradient_argument(device):
    x = leaf([1.0, 2.0], device)
    y = x * x
    y.backward(ag.tensor([1.0, 10.0], dtype=ag.float64, device=device))
    assert_close(x.grad, [2.0, 40.0])


def test_tensor_without_grad_is_not_touched(device):
    x = leaf([1.0], device)
    c = ag.tensor([2.0], dtype=ag.float64, device=device)
    (x * c).sum().backward()
    assert c.grad is None and not c.requires_grad


# ---------------------------------------------------------------- depth and memory
def _chain(x, n):
    y = x
    for _ in range(n):
        y = -y  # the cheapest op: the test measures the engine, not the math
    return y.sum()


def test_deep_chain_backward_is_iterative_linear_and_freed():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    times = {}
    for n, repeats in ((10_000, 5), (100_000, 2)):
        runs = []
        for _ in range(repeats):  # the median of a few short runs: CI machines are noisy
            loss = _chain(x, n)
            gc.disable()  # a cyclic-GC pass over 10^5 live nodes would time the collector instead
            try:
                start = time.process_time()
                loss.backward()  # an explicit stack: no RecursionError at depth 10^5
                runs.append(max(time.process_time() - start, 1e-3))
            finally:
                gc.enable()
        times[n] = sorted(runs)[len(runs) // 2]
    assert_close(x.grad, [7.0, 7.0])  # one per backward: 5 + 2 runs
    ratio = times[100_000] / times[10_000]
    assert ratio < 30, f"backward time grew {ratio:.1f}x for 10x more nodes: {times}"
    ref = weakref.ref(loss.grad_fn)
    del loss  # deleting a 10^5-deep graph must not overflow the C stack
    assert ref() is None


def test_graph_freed_by_reference_counting_alone(device):
    gc.collect()
    gc.disable()
    try:
        x = leaf([1.0, 2.0], device)
        h = x.exp()
        loss = (h * h).sum()
        node_ref = weakref.ref(h.grad_fn)
        tensor_ref = weakref.ref(h)
        del h
        assert node_ref() is not None  # still held by the graph of loss
        loss.backward()
        del loss
        assert node_ref() is None, "the graph outlived its output (a reference cycle?)"
        assert tensor_ref() is None
    finally:
        gc.enable()


def test_training_step_creates_no_reference_cycles(device):
    rng = np.random.default_rng(0)
    w = leaf(rng.standard_normal((4, 3)), device)
    b = leaf(np.zeros(3), device)
    x = ag.tensor(rng.standard_normal((5, 4, 1)), dtype=ag.float64, device=device)
    target = ag.tensor(rng.standard_normal((5, 3)), dtype=ag.float64, device=device)

    def step():
        h = (x * w).sum(dim=1) + b  # (5, 3)
        out = h.tanh()
        out.retain_grad()
        loss = ((out - target) ** 2).sum()
        loss.backward()
        with ag.no_grad():
            w.sub_(0.1 * w.grad)
            b.sub_(0.1 * b.grad)
        w.grad = None
        b.grad = None

    gc.collect()
    gc.disable()
    try:
        step()
        step()
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0, f"a training step left {found} objects in reference cycles"


def test_saved_arrays_are_released_after_backward(device):
    x = leaf([1.0, 2.0], device)
    y = x.exp()
    z = (y * x).sum()
    node = y.grad_fn
    z.backward()
    assert node._saved is None


# ---------------------------------------------------------------- retain_graph and errors
def test_retain_graph_allows_second_backward(device):
    x = leaf([1.0, 2.0], device)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert_close(x.grad, [4.0, 8.0])


def test_second_backward_raises_clearly(device):
    x = leaf([1.0, 2.0], device)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time") as info:
        y.backward()
    assert "retain_graph=True" in str(info.value)
    assert "test_engine.py" in str(info.value)  # names where the op was created


def test_non_scalar_backward_needs_gradient(device):
    x = leaf([1.0, 2.0], device)
    with pytest.raises(RuntimeError, match="scalar outputs"):
        (x * 2).backward()


def test_backward_of_tensor_without_grad_raises(device):
    x = ag.tensor([1.0, 2.0], device=device)
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * 2).sum().backward()


def test_gradient_of_wrong_shape_raises(device):
    x = leaf([1.0, 2.0], device)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(ag.ones(3, dtype=ag.float64, device=device))


# ---------------------------------------------------------------- hooks and retain_grad
def test_tensor_hook_can_replace_gradient_and_be_removed(device):
    x = leaf([1.0, 2.0], device)
    seen = []
    y = x * 3
    handle = y.register_hook(lambda g: seen.append(host(g)) or g * 10)
    y.sum().backward()
    assert_close(seen[0], [1.0, 1.0])
    assert_close(x.grad, [30.0, 30.0])
    handle.remove()
    x.grad = None
    y2 = x * 3
    y2.register_hook(lambda g: None)  # returning None keeps the gradient
    y2.sum().backward()
    assert_close(x.grad, [3.0, 3.0])


def test_removed_hook_is_not_called(device):
    x = leaf([1.0], device)
    y = x * 2
    calls = []
    h = y.register_hook(lambda g: calls.append(1))
    h.remove()
    y.sum().backward()
    assert calls == []


def test_leaf_hook(device):
    x = leaf([1.0, 2.0], device)
    h = x.register_hook(lambda g: g * 2)
    (x * x).sum().backward()
    assert_close(x.grad, [4.0, 8.0])
    h.remove()
    x.grad = None
    (x * x).sum().backward()
    assert_close(x.grad, [2.0, 4.0])


def test_leaf_hook_sees_the_summed_gradient(device):
    x = leaf([1.0], device)
    seen = []
    x.register_hook(lambda g: seen.append(host(g)))
    (x * 2 + x * 3).sum().backward()
    assert len(seen) == 1
    assert_close(seen[0], [5.0])


def test_hook_on_tensor_without_grad_raises(device):
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ag.ones(2, device=device).register_hook(lambda g: g)


def test_retain_grad(device):
    x = leaf([1.0, 2.0], device)
    h = x * 2
    h.retain_grad()
    assert h.retains_grad
    y = (h * h).sum()
    y.backward()
    assert_close(h.grad, [4.0, 8.0])
    assert_close(x.grad, [8.0, 16.0])
    mid = x * 3
    assert mid.grad is None  # non-leaf without retain_grad keeps no grad


# ---------------------------------------------------------------- higher order and ag.grad
def test_grad_of_grad(device):
    x = leaf([0.5, -1.0], device)
    (g,) = ag.grad((x ** 3).sum(), x, create_graph=True)
    assert g.requires_grad
    assert_close(g, 3 * np.array([0.5, -1.0]) ** 2)
    (gg,) = ag.grad(g.sum(), x)
    assert_close(gg, 6 * np.array([0.5, -1.0]))
    assert x.grad is None  # ag.grad leaves .grad alone


def test_backward_create_graph_then_backward_again(device):
    x = leaf([2.0], device)
    y = (x ** 3).sum()
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    x.grad = None
    g.sum().backward()
    assert_close(x.grad, [12.0])


def test_hessian_vector_product_matches_torch(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    xv, vv, av = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(4)

    def f(x, a, lib):
        return (lib.tanh(x * a) * x.exp() + (x * x).sin()).sum()

    x = leaf(xv, device)
    a = ag.tensor(av, dtype=ag.float64, device=device)
    (g,) = ag.grad(f(x, a, ag), x, create_graph=True)
    (hv,) = ag.grad((g * ag.tensor(vv, dtype=ag.float64, device=device)).sum(), x)

    tx = torch.tensor(xv, requires_grad=True)
    ta = torch.tensor(av)
    (tg,) = torch.autograd.grad(f(tx, ta, torch), tx, create_graph=True)
    (thv,) = torch.autograd.grad((tg * torch.tensor(vv)).sum(), tx)
    assert_close(g, tg.detach().numpy(), rtol=1e-10)
    assert_close(hv, thv.numpy(), rtol=1e-10)


def test_grad_with_grad_outputs_and_multiple_inputs_outputs(device):
    x = leaf([1.0, 2.0], device)
    y = leaf([3.0, 4.0], device)
    a = x * y
    b = x + y * y
    ga, gb = (ag.tensor(v, dtype=ag.float64, device=device) for v in ([1.0, 2.0], [0.5, 0.25]))
    dx, dy = ag.grad([a, b], [x, y], grad_outputs=[ga, gb])
    assert_close(dx, np.array([3.0, 4.0]) * [1, 2] + [0.5, 0.25])
    assert_close(dy, np.array([1.0, 2.0]) * [1, 2] + 2 * np.array([3.0, 4.0]) * [0.5, 0.25])
    assert x.grad is None and y.grad is None


def test_grad_with_respect_to_non_leaf(device):
    x = leaf([1.0, 2.0], device)
    h = x * 3
    y = (h * h).sum()
    (gh,) = ag.grad(y, h)
    assert_close(gh, [6.0, 12.0])


def test_grad_allow_unused(device):
    x = leaf([1.0], device)
    z = leaf([1.0], device)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.grad(y, [x, z], retain_graph=True)
    gx, gz = ag.grad(y, [x, z], allow_unused=True)
    assert_close(gx, [2.0])
    assert gz is None


def test_grad_of_input_that_does_not_require_grad_raises(device):
    x = leaf([1.0], device)
    c = ag.ones(1, device=device)
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.grad((x * c).sum(), c)


def test_backward_inputs_argument(device):
    x = leaf([1.0], device)
    y = leaf([2.0], device)
    (x * y).sum().backward(inputs=[x])
    assert_close(x.grad, [2.0])
    assert y.grad is None


# ---------------------------------------------------------------- versions and in-place
def test_modifying_a_saved_tensor_in_place_makes_backward_raise(device):
    x = leaf([1.0, 2.0], device)
    h = x * 2
    y = h.exp()  # ExpBackward saves its output
    z = (h * h).sum()  # MulBackward saves h
    with ag.no_grad():
        h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as info:
        z.backward()
    assert "MulBackward" in str(info.value) and "test_engine.py" in str(info.value)
    del y


def test_modifying_a_saved_output_in_place_makes_backward_raise(device):
    x = leaf([1.0, 2.0], device)
    y = x.exp()
    loss = (y * 1.0).sum()
    y.mul_(2)  # recorded in place on the output ExpBackward saved
    with pytest.raises(RuntimeError, match="inplace operation") as info:
        (loss + y.sum()).backward()
    assert "ExpBackward" in str(info.value)


def test_in_place_on_leaf_requiring_grad_raises(device):
    x = leaf([1.0, 2.0], device)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x *= 2
    with ag.no_grad():
        x.add_(1)
    assert_close(x.detach(), [2.0, 3.0])


def test_in_place_ops_are_recorded_on_non_leaves(device):
    x = leaf([1.0, 2.0], device)
    h = x * 1.0
    h.mul_(3)
    h += 1
    h.sum().backward()
    assert_close(h.detach(), [4.0, 7.0])
    assert_close(x.grad, [3.0, 3.0])


def test_version_counter_increments(device):
    x = ag.ones(3, device=device)
    v0 = x._version_value
    x.add_(1)
    x.mul_(2)
    assert x._version_value == v0 + 2


def test_detach_shares_data_and_version(device):
    x = leaf([1.0, 2.0], device)
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    d.add_(1)  # changes x's values too
    assert_close(x.detach(), [2.0, 3.0])
    assert x._version_value == d._version_value


# ---------------------------------------------------------------- user-defined Functions
class Cube(ag.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x ** 3 * scale

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x ** 2 * ctx.scale, None


def test_user_function(device):
    x = leaf([1.0, -2.0], device)
    y = Cube.apply(x, 2.0)
    assert y.grad_fn is not None and "Cube" in y.grad_fn.name()
    y.sum().backward()
    assert_close(x.grad, [6.0, 24.0])


def test_user_function_gradcheck_and_gradgradcheck(device):
    x = leaf([0.3, -1.2, 2.0], device)
    assert ag.gradcheck(lambda t: Cube.apply(t, 1.5), (x,))
    assert ag.gradgradcheck(lambda t: Cube.apply(t, 1.5), (x,))


class NeedsInputGrad(ag.Function):
    seen = None

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        NeedsInputGrad.seen = ctx.needs_input_grad
        return g, None


def test_needs_input_grad(device):
    a = leaf([1.0], device)
    b = ag.ones(1, dtype=ag.float64, device=device)
    NeedsInputGrad.apply(a, b).sum().backward()
    assert NeedsInputGrad.seen == (True, False)


class SortWithIndex(ag.Function):
    @staticmethod
    def forward(ctx, x):
        idx = x * 0  # a float output declared non-differentiable
        ctx.mark_non_differentiable(idx)
        return x * 2, idx

    @staticmethod
    def backward(ctx, g, g_idx):
        return g * 2


def test_mark_non_differentiable(device):
    x = leaf([1.0, 2.0], device)
    y, idx = SortWithIndex.apply(x)
    assert y.requires_grad and not idx.requires_grad
    y.sum().backward()
    assert_close(x.grad, [2.0, 2.0])


def test_user_function_without_grad_does_not_record(device):
    x = ag.tensor([1.0], device=device)
    y = Cube.apply(x, 1.0)
    assert y.grad_fn is None and not y.requires_grad


def test_user_function_forward_runs_without_recording(device):
    seen = []

    class Probe(ag.Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(ag.is_grad_enabled())
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g

    Probe.apply(leaf([1.0], device))
    assert seen == [False]


def test_wrong_number_of_gradients_raises(device):
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = leaf([1.0], device)
    with pytest.raises(RuntimeError, match="returned 1 gradients"):
        Bad.apply(x, x).sum().backward()


# ---------------------------------------------------------------- provenance and anomaly
def test_node_records_where_it_was_created(device):
    x = leaf([1.0], device)
    y = x.exp()  # this line
    line = test_node_records_where_it_was_created.__code__.co_firstlineno + 2
    assert f"test_engine.py:{line}" in y.grad_fn.where()
    assert repr(y.grad_fn) == "<ExpBackward>"


def test_sites_of_different_code_at_the_same_offset_stay_apart(device):
    """Sites are interned by file, offset and the code's identity: two functions with the same
    bytecode layout in one file or two, called at the same offset, and a function made again
    after the first one died, each keep their own file:line."""
    x = leaf([1.0], device)
    made = {}
    for name, first in (("one.py", 10), ("two.py", 20), ("one.py", 30)):
        ns = {}
        exec(compile("\n" * (first - 1) + "def f(x):\n    return x.exp()\n", name, "exec"), ns)
        made[(name, first)] = ns["f"](x).grad_fn
        del ns  # the code object may die; its id may be reused by the next one
    for (name, first), node in made.items():
        assert node._site == (name, first + 1), (name, first, node._site)


def test_next_functions(device):
    x = leaf([1.0], device)
    y = x.exp() * x
    names = [type(fn).__name__ if fn is not None else None for fn, _ in y.grad_fn.next_functions]
    assert names == ["Exp", "Tensor"]


def test_detect_anomaly_names_op_and_line(device):
    x = leaf([0.0, 1.0], device)
    with ag.detect_anomaly():
        y = x.sqrt()  # the anomalous op: its gradient at 0 is inf
        line = test_detect_anomaly_names_op_and_line.__code__.co_firstlineno + 3
        with pytest.raises(RuntimeError, match="SqrtBackward") as info:
            y.sum().backward()
    assert f"test_engine.py:{line}" in str(info.value)
    assert y.grad_fn._anomalous


def test_detect_anomaly_nan(device):
    x = leaf([1.0, 2.0], device)
    with ag.detect_anomaly():
        y = (x - x).log() * 0  # LogBackward computes 0 / 0
        with pytest.raises(RuntimeError, match="LogBackward.* returned nan"):
            y.sum().backward()


def test_without_anomaly_detection_nan_passes_silently(device):
    x = leaf([0.0], device)
    x.sqrt().sum().backward()
    assert np.isinf(host(x.grad)).all()


def test_detect_anomaly_restores_state_and_decorates():
    assert not ag.is_anomaly_enabled()
    with ag.detect_anomaly():
        assert ag.is_anomaly_enabled()
        with ag.detect_anomaly(check_nan=False):
            assert not ag.is_anomaly_enabled()
        assert ag.is_anomaly_enabled()
    assert not ag.is_anomaly_enabled()

    @ag.detect_anomaly()
    def f():
        return ag.is_anomaly_enabled()

    assert f() and not ag.is_anomaly_enabled()


def test_grad_mode_is_thread_local_during_backward(device):
    # a backward in one thread must not switch recording off for another thread
    x = leaf([1.0], device)
    results = []
    barrier = threading.Barrier(2)

    def other():
        barrier.wait()
        results.append(ag.is_grad_enabled())

    t = threading.Thread(target=other)
    t.start()

    def hook(g):
        barrier.wait()
        t.join()
        return g

    y = x * 2
    y.register_hook(hook)
    y.sum().backward()
    assert results == [True]


def test_recorded_in_place_op_keeps_the_old_value_for_its_own_backward(device):
    x = leaf([1.0, 2.0], device)
    y = leaf([3.0, 4.0], device)
    h = x * 1
    h.mul_(y)  # MulBackward needs h's value before the multiplication
    h.sum().backward()
    assert_close(x.grad, [3.0, 4.0])
    assert_close(y.grad, [1.0, 2.0])


def test_in_place_on_an_output_saved_by_its_op_raises_like_torch(device):
    x = leaf([1.0, 2.0], device)
    h = x.exp()  # ExpBackward saves its output
    h.mul_(2)
    with pytest.raises(RuntimeError, match="ExpBackward.*newer version"):
        h.sum().backward()


def test_chained_in_place_ops_then_in_place_on_saved_output(device):
    x = leaf([0.5, 1.0], device)
    y = leaf([2.0, 3.0], device)
    h = x * 1
    h.add_(y)
    h.mul_(y)
    h.sum().backward()
    # h = (x + y) * y
    assert_close(x.grad, [2.0, 3.0])
    assert_close(y.grad, np.array([0.5, 1.0]) + 2 * np.array([2.0, 3.0]))
