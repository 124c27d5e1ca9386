"""Devices: ``ag.device``, ``ag.cuda``, creation on a device, transfers, ``Module.to``,
optimizers after a move, training parity between the CPU and a device, mismatch errors.

The second device is the test-only shadow device (tests/shadow.py), which runs
xpgrad's CuPy backend on a NumPy-backed stand-in; with CuPy and a GPU present
the same tests run on ``"cuda"`` (the ``cuda`` marker).
"""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import optim
from autograd import backend

from conftest import CUDA_SKIP, SHADOW, cuda_available

ON_DEVICE = [pytest.param(SHADOW, id="shadow"), pytest.param("cuda", marks=pytest.mark.cuda, id="cuda")]


def host(t):
    return t.detach().cpu().numpy()


# ---------------------------------------------------------------- ag.device
def test_device_equality_repr_str():
    cpu = ag.device("cpu")
    assert cpu == "cpu" and cpu == ag.device("cpu") and cpu is ag.device("cpu")
    assert cpu != "shadow" and cpu != "cuda" and cpu != "nonsense"
    assert repr(cpu) == "device(type='cpu')" and str(cpu) == "cpu"
    assert ag.zeros(1).device == "cpu" and ag.zeros(1).device is cpu
    sh = ag.device(SHADOW)
    assert sh == SHADOW and sh == f"{SHADOW}:0" and sh is ag.device(SHADOW, 0)
    assert repr(sh) == f"device(type='{SHADOW}', index=0)" and str(sh) == f"{SHADOW}:0"
    assert sh.type == SHADOW and sh.index == 0 and cpu.type == "cpu"
    assert ag.device(sh) is sh
    assert {cpu: 1, sh: 2}[ag.device("cpu")] == 1
    assert pickle.loads(pickle.dumps(sh)) is sh


def test_device_cuda_spec_without_constructing_the_backend():
    # as torch.device("cuda:1"): a device can be named without CUDA being present
    d = ag.device("cuda:1")
    assert d == "cuda:1" and d != "cuda:0" and d.type == "cuda" and d.index == 1
    assert repr(d) == "device(type='cuda', index=1)" and str(d) == "cuda:1"
    assert ag.device("cuda", 1) is d and ag.device("cuda") == "cuda:0"


@pytest.mark.parametrize("spec, exc", [
    ("tpu", RuntimeError), ("cuda:x", ValueError), ("cpu:1", ValueError), (3, TypeError),
    (("cuda", -1), ValueError), (("cuda:1", 2), ValueError),
])
def test_device_bad_specs(spec, exc):
    with pytest.raises(exc):
        ag.device(*spec) if isinstance(spec, tuple) else ag.device(spec)


def test_cuda_module_spellings():
    assert ag.cuda.manual_seed_all is ag.cuda.manual_seed
    ag.cuda.manual_seed(11)
    a = ag.rand(3).tolist()
    ag.manual_seed(11)
    assert ag.rand(3).tolist() == a


def test_cuda_queries_do_not_raise():
    assert ag.cuda.is_available() is cuda_available()
    assert isinstance(ag.cuda.device_count(), int)
    if not cuda_available():
        assert ag.cuda.is_available() is False and ag.cuda.device_count() == 0


@pytest.mark.skipif(cuda_available(), reason="CuPy and a GPU are present")
def test_cuda_without_cupy_says_how_to_install():
    for make in (lambda: ag.zeros(2, device="cuda"), lambda: ag.ones(2).cuda(),
                 lambda: ag.ones(2).to("cuda:0"), lambda: nn.Linear(2, 2).cuda(),
                 lambda: ag.cuda.synchronize(), lambda: ag.cuda.device(1)):
        with pytest.raises(RuntimeError, match=r'pip install "xpgrad\[cuda\]"'):
            make()


# ---------------------------------------------------------------- creation on a device
CREATORS = {
    "tensor": lambda d: ag.tensor([[1.0, 2.0]], device=d),
    "as_tensor": lambda d: ag.as_tensor([1, 2], device=d),
    "zeros": lambda d: ag.zeros(2, 3, device=d),
    "ones": lambda d: ag.ones((2,), device=d),
    "empty": lambda d: ag.empty(2, device=d),
    "full": lambda d: ag.full((2,), 3.5, device=d),
    "arange": lambda d: ag.arange(5, device=d),
    "linspace": lambda d: ag.linspace(0, 1, 5, device=d),
    "eye": lambda d: ag.eye(3, device=d),
    "rand": lambda d: ag.rand(2, device=d),
    "randn": lambda d: ag.randn(2, device=d),
    "randint": lambda d: ag.randint(0, 5, (3,), device=d),
    "zeros_like": lambda d: ag.zeros_like(ag.ones(2), device=d),
    "ones_like": lambda d: ag.ones_like(ag.ones(2), device=d),
    "empty_like": lambda d: ag.empty_like(ag.ones(2), device=d),
    "full_like": lambda d: ag.full_like(ag.ones(2), 7, device=d),
    "rand_like": lambda d: ag.rand_like(ag.ones(2), device=d),
    "randn_like": lambda d: ag.randn_like(ag.ones(2), device=d),
}


@pytest.mark.parametrize("name", sorted(CREATORS))
def test_creation_functions_take_device(device, name):
    t = CREATORS[name](device)
    assert t.device == device and isinstance(t._data, t.device.array_type)
    assert backend.device_of(t._data) is t.device


def test_like_functions_follow_the_input_device(device):
    x = ag.ones(2, 3, device=device)
    for fn in (ag.zeros_like, ag.ones_like, ag.empty_like, ag.rand_like, ag.randn_like):
        assert fn(x).device == device and fn(x).shape == (2, 3)
    assert ag.full_like(x, 2.0).device == device


def test_creation_values_equal_on_every_device(device):
    for name in ("tensor", "zeros", "ones", "full", "arange", "linspace", "eye", "full_like"):
        np.testing.assert_array_equal(host(CREATORS[name](device)), host(CREATORS[name]("cpu")))
        assert CREATORS[name](device).dtype == CREATORS[name]("cpu").dtype


# ---------------------------------------------------------------- random numbers
@pytest.mark.parametrize("draw", [
    lambda d: ag.rand(3, 4, device=d), lambda d: ag.randn(5, device=d, dtype=ag.float64),
    lambda d: ag.randint(0, 10, (6,), device=d), lambda d: ag.randn(3, device=d, dtype=ag.float16),
    lambda d: ag.empty(4, device=d).uniform_(-2, 3), lambda d: ag.empty(4, device=d).normal_(1, 2),
])
def test_manual_seed_reproduces_per_device(device, draw):
    ag.manual_seed(123)
    a = host(draw(device))
    ag.manual_seed(123)
    b = host(draw(device))
    np.testing.assert_array_equal(a, b)
    c = host(draw(device))
    assert not np.array_equal(a, c)  # the generator advanced


@pytest.mark.parametrize("dev", [pytest.param(SHADOW, id="shadow")])
def test_shadow_draws_the_cpu_numbers(dev):
    # the shadow device draws with NumPy's generator, seeded as the CPU's: same numbers
    for draw in (lambda d: ag.rand(3, 4, device=d), lambda d: ag.randn(7, device=d),
                 lambda d: ag.randint(-3, 3, (5,), device=d),
                 lambda d: ag.randn(2, 2, device=d, dtype=ag.float64),
                 lambda d: nn.init.kaiming_uniform_(ag.empty(3, 4, device=d))):
        ag.manual_seed(7)
        a = host(draw("cpu"))
        ag.manual_seed(7)
        b = host(draw(dev))
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype


def test_generators_are_per_device():
    # drawing on one device does not advance another device's generator
    ag.manual_seed(3)
    a = host(ag.rand(4))
    ag.manual_seed(3)
    ag.rand(10, device=SHADOW)
    b = host(ag.rand(4))
    np.testing.assert_array_equal(a, b)


def test_dropout_on_device_is_seeded(device):
    x = ag.ones(50, device=device)
    ag.manual_seed(0)
    a = host(F.dropout(x, 0.5, training=True))
    ag.manual_seed(0)
    b = host(F.dropout(x, 0.5, training=True))
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, 2.0}


# ---------------------------------------------------------------- Tensor.to and friends
@pytest.mark.parametrize("dev", ON_DEVICE)
@pytest.mark.parametrize("dtype", [ag.float32, ag.float64, ag.float16, ag.int64, ag.int32, ag.bool, ag.uint8])
def test_transfer_round_trips_values_and_dtype(dev, dtype):
    src = np.array([[0, 1, 2], [3, 250, 5]]).astype(dtype)
    x = ag.tensor(src)
    y = x.to(dev)
    assert y.device == dev and y.dtype == dtype and y.shape == x.shape
    back = y.cpu()
    assert back.device == "cpu" and back.dtype == dtype
    np.testing.assert_array_equal(back.numpy(), src)
    assert y.to(dev) is y and x.cpu() is x  # no-op when already there


@pytest.mark.parametrize("dev", ON_DEVICE)
def test_to_spellings(dev):
    x = ag.tensor([1.5, -2.0])
    assert x.to(dev).device == dev
    assert x.to(device=dev).device == dev
    assert x.to(ag.device(dev)).device == dev
    y = x.to(dev, ag.float64)
    assert y.device == dev and y.dtype == ag.float64
    y = x.to(device=dev, dtype=ag.int64)
    assert y.device == dev and y.dtype == ag.int64 and y.tolist() == [1, -2]
    other = ag.zeros(1, dtype=ag.float16, device=dev)
    z = x.to(other)
    assert z.device == dev and z.dtype == ag.float16
    assert x.to(ag.float64).device == "cpu"
    assert x.to("cpu") is x and x.to(ag.float32) is x and x.to(x) is x
    c = x.to("cpu", copy=True)
    assert c is not x and c.tolist() == x.tolist()
    c._data[0] = 9.0
    assert x.tolist()[0] == 1.5  # a real copy
    d = x.to(dev, ag.float32, False, True)  # positional non_blocking, copy
    assert d.device == dev
    assert x.to(dev, non_blocking=True).device == dev
    assert x.to(dev, memory_format=None).device == dev  # PyTorch's keyword (layouts are kept)
    with pytest.raises(TypeError, match="unexpected keyword"):
        x.to(dev, bogus=None)


def test_cuda_method_spellings_name_cuda_devices():
    assert backend.cuda_device() is ag.device("cuda:0")
    assert backend.cuda_device(1) is ag.device("cuda:1")
    assert backend.cuda_device("cuda:1") is ag.device("cuda:1")
    assert backend.cuda_device(ag.device("cuda:1")) is ag.device("cuda:1")


@pytest.mark.parametrize("dev", ON_DEVICE)
def test_transfer_is_differentiable(dev):
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.to(dev)
    assert y.requires_grad and y.grad_fn is not None and y.grad_fn.name() == "ToDeviceBackward"
    (y * y).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_allclose(host(x.grad), [2.0, 4.0, 6.0])
    # device -> cpu and a cast on the way: grads come back to the device, in its dtype
    w = ag.tensor([1.0, -1.0], device=dev, requires_grad=True)
    (w.cpu().double() * ag.tensor([3.0, 4.0], dtype=ag.float64)).sum().backward()
    assert w.grad.device == dev and w.grad.dtype == ag.float32
    np.testing.assert_allclose(host(w.grad), [3.0, 4.0])


@pytest.mark.parametrize("dev", ON_DEVICE)
def test_transfer_double_backward(dev):
    x = ag.tensor([0.5, -1.5], dtype=ag.float64, requires_grad=True)
    y = (x.to(dev) ** 3).sum()
    (g,) = ag.grad(y, x, create_graph=True)
    assert g.device == "cpu"
    g.sum().backward()
    np.testing.assert_allclose(host(x.grad), 6 * np.array([0.5, -1.5]))


@pytest.mark.parametrize("dev", ON_DEVICE)
def test_gradients_and_requires_grad_after_moves(dev):
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    assert x.grad is not None
    y = x.detach().to(dev).requires_grad_()
    assert y.is_leaf and y.requires_grad and y.device == dev
    (y ** 2).sum().backward()
    assert y.grad.device == dev
    np.testing.assert_allclose(host(y.grad), [2.0, 4.0])
    assert x.detach().to(dev).requires_grad is False


def test_is_cuda_is_cpu():
    x = ag.ones(1)
    assert x.is_cpu and not x.is_cuda
    assert not x.to(SHADOW).is_cpu and not x.to(SHADOW).is_cuda


def test_item_numpy_repr_on_device(device):
    t = ag.tensor([[1.5, 2.0]], device=device)
    assert t[0, 0].item() == 1.5 and isinstance(t[0, 0].item(), float)
    assert t.tolist() == [[1.5, 2.0]]
    assert float(t[0, 1]) == 2.0 and int(t[0, 1]) == 2 and bool(t[0, 0] > 1)
    if device != "cpu":
        assert f"device='{ag.device(device)}'" in repr(t)
        with pytest.raises(TypeError, match=r"\.cpu\(\)"):
            t.numpy()
        with pytest.raises(TypeError):
            np.asarray(t)
    else:
        assert "device" not in repr(t)
    np.testing.assert_array_equal(t.cpu().numpy(), [[1.5, 2.0]])


# ---------------------------------------------------------------- modules and optimizers
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.bn = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.bn(self.fc1(x))))


@pytest.mark.parametrize("dev", ON_DEVICE)
def test_module_to_moves_params_buffers_and_grads(dev):
    ag.manual_seed(0)
    net = Net()
    out = net(ag.randn(5, 4)).sum()
    out.backward()
    params = dict(net.named_parameters())
    before = {k: host(v) for k, v in net.state_dict().items()}
    grads = {k: host(p.grad) for k, p in params.items()}
    assert net.to(dev) is net
    for k, p in net.named_parameters():
        assert p is params[k] and isinstance(p, nn.Parameter)  # identity kept
        assert p.device == dev and p.requires_grad and p.is_leaf
        assert p.grad.device == dev
        np.testing.assert_array_equal(host(p.grad), grads[k])
    for k, b in net.named_buffers():
        assert b.device == dev, k
    for k, v in net.state_dict().items():
        assert v.device == dev
        np.testing.assert_array_equal(host(v), before[k])
    assert net.bn.num_batches_tracked.dtype == ag.int64
    # and back
    net.cpu()
    assert all(p.device == "cpu" and p.grad.device == "cpu" for p in net.parameters())
    assert all(b.device == "cpu" for b in net.buffers())


@pytest.mark.parametrize("dev", ON_DEVICE)
def test_module_to_with_dtype(dev):
    net = Net().to(dev, ag.float64)
    assert all(p.dtype == ag.float64 and p.device == dev for p in net.parameters())
    assert net.bn.num_batches_tracked.dtype == ag.int64 and net.bn.num_batches_tracked.device == dev
    out = net(ag.randn(3, 4, device=dev, dtype=ag.float64))
    assert out.device == dev and out.dtype == ag.float64


def _train(dev, opt_factory, steps=3):
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3)).to(dev)
    opt = opt_factory(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    ag.manual_seed(1)
    x = ag.randn(8, 5).to(dev)
    y = ag.randint(0, 3, (8,)).to(dev)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    for p in model.parameters():
        assert p.device == dev
    for st in opt.state.values():
        for k, v in st.items():
            if isinstance(v, ag.Tensor) and k != "step":
                assert v.device == dev, k
    return model, opt, losses


@pytest.mark.parametrize("dev", ON_DEVICE)
@pytest.mark.parametrize("make", [
    pytest.param(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), id="sgd-momentum"),
    pytest.param(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
                 id="sgd-nesterov"),
    pytest.param(lambda ps: optim.Adam(ps, lr=1e-2), id="adam"),
    pytest.param(lambda ps: optim.AdamW(ps, lr=1e-2, amsgrad=True), id="adamw-amsgrad"),
])
def test_training_steps_match_cpu(dev, make):
    ref, _, ref_losses = _train("cpu", make)
    got, _, losses = _train(dev, make)
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-6, atol=1e-6)
    for (k, a), (_, b) in zip(ref.state_dict().items(), got.state_dict().items()):
        np.testing.assert_allclose(host(b), host(a), rtol=1e-6, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("dev", ON_DEVICE)
def test_fresh_optimizer_after_module_to(dev):
    model = nn.Linear(3, 2)
    opt = optim.Adam(model.parameters(), lr=0.1)
    model(ag.randn(4, 3)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    model.to(dev)
    opt2 = optim.Adam(model.parameters(), lr=0.1)
    opt2.load_state_dict(sd)  # state saved on the CPU lands on each parameter's device
    for p in model.parameters():
        st = opt2.state[p]
        assert st["exp_avg"].device == dev and st["exp_avg_sq"].device == dev
    model.zero_grad()
    model(ag.randn(4, 3, device=dev)).sum().backward()
    opt2.step()
    assert all(p.device == dev for p in model.parameters())
    # the reverse: state saved on the device loads onto CPU parameters
    cpu_model = copy.deepcopy(model).cpu()
    opt3 = optim.Adam(cpu_model.parameters(), lr=0.1)
    opt3.load_state_dict(opt2.state_dict())
    assert all(opt3.state[p]["exp_avg"].device == "cpu" for p in cpu_model.parameters())


@pytest.mark.parametrize("dev", ON_DEVICE)
def test_save_load_map_location(dev, tmp_path):
    pytest.importorskip("safetensors")
    model = nn.Linear(3, 2).to(dev)
    path = tmp_path / "m.safetensors"
    ag.save(model.state_dict(), path)
    sd = ag.load(path)
    assert all(v.device == "cpu" for v in sd.values())
    sd = ag.load(path, map_location=dev)
    assert all(v.device == dev for v in sd.values())
    fresh = nn.Linear(3, 2).to(dev)
    fresh.load_state_dict(sd)
    np.testing.assert_array_equal(host(fresh.weight), host(model.weight))


# ---------------------------------------------------------------- mismatch errors
def _mismatch(fn):
    with pytest.raises(RuntimeError) as info:
        fn()
    msg = str(info.value)
    assert "cpu" in msg and f"{SHADOW}:0" in msg, msg
    return msg


def test_mismatch_names_devices_shapes_and_sites():
    a = ag.randn(3, requires_grad=True)
    h = a * 2  # non-leaf: its creation site is named
    b = ag.randn(3, device=SHADOW)
    msg = _mismatch(lambda: h + b)
    assert "same device" in msg and "(3,)" in msg
    assert "test_devices.py" in msg and "created at" in msg  # where h was made


@pytest.mark.parametrize("name, fn", [
    ("eq", lambda a, b, i: a == b), ("lt", lambda a, b, i: a < b),
    ("where", lambda a, b, i: ag.where(a > 0, a, b)),
    ("where-cond", lambda a, b, i: ag.where(b > 0, a, a)), ("cat", lambda a, b, i: ag.cat([a, b])),
    ("stack", lambda a, b, i: ag.stack([a, b])), ("matmul", lambda a, b, i: a @ b),
    ("maximum", lambda a, b, i: ag.maximum(a, b)), ("add_", lambda a, b, i: a.detach().add_(b)),
    ("getitem", lambda a, b, i: a[i]), ("mask", lambda a, b, i: a[b > 0]),
    ("setitem", lambda a, b, i: a.detach().__setitem__(i, 0.0)),
    ("gather", lambda a, b, i: a.gather(0, i)), ("index_select", lambda a, b, i: a.index_select(0, i)),
    ("take_along_dim", lambda a, b, i: ag.take_along_dim(a, i, 0)),
    ("scatter", lambda a, b, i: ag.zeros(3).scatter(0, i, ag.ones(2))),
    ("masked_fill", lambda a, b, i: a.masked_fill(b > 0, 0.0)),
    ("embedding", lambda a, b, i: F.embedding(i, ag.randn(4, 2))),
    ("cross_entropy", lambda a, b, i: F.cross_entropy(ag.randn(2, 3), i)),
    ("nll_loss", lambda a, b, i: F.nll_loss(ag.randn(2, 3), i)),
    ("ce-weight", lambda a, b, i: F.cross_entropy(ag.randn(2, 3), ag.tensor([0, 1]), weight=b)),
    ("mse_loss", lambda a, b, i: F.mse_loss(a, b)),
    ("bce", lambda a, b, i: F.binary_cross_entropy(a.sigmoid(), b.sigmoid())),
    ("linear", lambda a, b, i: F.linear(ag.randn(2, 3), ag.randn(4, 3, device=SHADOW))),
])
def test_mismatch_on_every_path(name, fn):
    a = ag.randn(3, requires_grad=True)
    b = ag.randn(3, device=SHADOW)
    i = ag.tensor([0, 1], device=SHADOW)
    _mismatch(lambda: fn(a, b, i))


def test_cpu_index_on_a_device_tensor_is_allowed():
    # as PyTorch: a CPU index may index a device tensor (it is copied over)
    x = ag.arange(5.0, device=SHADOW)
    assert x[ag.tensor([4, 0])].tolist() == [4.0, 0.0]
    assert x[ag.tensor([True, False, True, False, False])].tolist() == [0.0, 2.0]


def test_module_on_device_with_cpu_input_raises():
    net = nn.Linear(3, 2).to(SHADOW)
    msg = _mismatch(lambda: net(ag.randn(1, 3)))
    assert "(1, 3)" in msg and "(2, 3)" in msg


# ---------------------------------------------------------------- the cuda marker
@pytest.mark.cuda
def test_cuda_marker_runs_only_with_a_gpu():
    assert cuda_available()
    x = ag.randn(3, device="cuda", requires_grad=True)
    (x.cpu() * 2).sum().backward()
    assert x.grad.device == "cuda:0"


def test_cuda_tests_skip_with_a_visible_reason(request):
    if cuda_available():
        pytest.skip("CuPy and a GPU are present: the cuda tests run")
    item = next((i for i in request.session.items if i.name == "test_cuda_marker_runs_only_with_a_gpu"), None)
    if item is None:
        pytest.skip("the cuda-marked test was deselected")
    reasons = [m.kwargs.get("reason") for m in item.iter_markers("skip")]
    assert CUDA_SKIP in reasons


def test_movement_docstrings_run():
    import doctest

    from autograd.ops import movement

    for fn in (movement.to, movement.from_dlpack):
        for test in doctest.DocTestFinder().find(fn, globs={"ag": ag}):
            runner = doctest.DocTestRunner()
            runner.run(test)
            assert runner.failures == 0, fn.__name__


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: optim.Adam(ps)])
def test_stale_optimizer_state_after_a_move_is_explained(make):
    model = nn.Linear(3, 2)
    opt = make(model.parameters())
    model(ag.randn(2, 3)).sum().backward()
    opt.step()
    model.to(SHADOW)
    model.zero_grad()
    model(ag.randn(2, 3, device=SHADOW)).sum().backward()
    with pytest.raises(RuntimeError, match=r"optimizer state .* is on cpu while the parameter is on shadow"):
        opt.step()
