"""Legacy spellings (typed tensor classes, Variable, Tensor.type, Size, finfo/iinfo, bfloat16), inference
mode and start-up shims, each compared with PyTorch where it is installed."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


# ---------------------------------------------------------------- typed tensor classes and type()
def test_typed_constructors_and_isinstance():
    z = ag.FloatTensor(3, 4)
    assert z.shape == (3, 4) and z.dtype == ag.float32 and not z.numpy().any()
    assert ag.LongTensor([1, 2]).dtype == ag.int64 and ag.LongTensor([1, 2]).tolist() == [1, 2]
    assert ag.FloatTensor().shape == (0,)
    assert ag.ByteTensor([1]).dtype == ag.uint8 and ag.BoolTensor([True]).dtype == ag.bool
    assert ag.DoubleTensor(2).dtype == ag.float64 and ag.HalfTensor(1).dtype == ag.float16
    assert ag.IntTensor([3]).dtype == ag.int32
    t = ag.ones(2)
    assert isinstance(t, ag.FloatTensor) and not isinstance(t, ag.DoubleTensor)
    assert isinstance(t, ag.Tensor) and not isinstance(t, ag.cuda.FloatTensor)
    assert not isinstance(np.ones(2, np.float32), ag.FloatTensor)
    with pytest.raises(TypeError, match="sizes must be ints"):
        ag.FloatTensor(2, 2.5)
    with pytest.raises(TypeError, match="bfloat16"):
        ag.BFloat16Tensor(2)


def test_type_names_and_casts():
    torch = pytest.importorskip("torch")
    for dt, tdt in ((ag.float32, torch.float32), (ag.float64, torch.float64), (ag.int64, torch.int64),
                    (ag.uint8, torch.uint8), (ag.bool, torch.bool), (ag.int32, torch.int32)):
        assert ag.zeros(1, dtype=dt).type() == torch.zeros(1, dtype=tdt).type()
    t, tt = ag.ones(2), torch.ones(2)
    for spec, tspec in (("torch.DoubleTensor", "torch.DoubleTensor"), (ag.int64, torch.int64),
                        (ag.LongTensor, torch.LongTensor), ("torch.IntTensor", "torch.IntTensor")):
        assert t.type(spec).type() == tt.type(tspec).type()
    assert t.type(ag.float32) is t  # same type: the tensor itself, as PyTorch
    with pytest.raises(ValueError, match="invalid type"):
        t.type("torch.NoSuchTensor")


def test_type_names_without_torch():
    assert ag.ones(1).type() == "torch.FloatTensor"
    assert ag.ones(1, dtype=ag.int64).type() == "torch.LongTensor"
    assert ag.ones(1).type("torch.LongTensor").dtype == ag.int64


def test_variable_is_a_detached_leaf():
    x = ag.ones(2, requires_grad=True)
    y = x * 2
    v = ag.autograd.Variable(y, requires_grad=True)
    assert v.is_leaf and v.requires_grad and v is not y
    (v * v).sum().backward()
    assert v.grad.tolist() == [4.0, 4.0] and x.grad is None
    assert not ag.autograd.Variable(y).requires_grad
    assert ag.autograd.grad is ag.grad and ag.autograd.Function is ag.Function
    assert callable(ag.autograd.backward)
    with pytest.raises(TypeError, match="has to be a tensor"):
        ag.autograd.Variable([1.0])


# ---------------------------------------------------------------- Size, finfo, iinfo, predicates
def test_size():
    s = ag.Size([2, 3])
    assert s == (2, 3) and isinstance(s, tuple) and s.numel() == 6
    assert isinstance(s[1:], ag.Size) and s[1] == 3
    assert repr(s) == "autograd.Size([2, 3])"
    assert ag.FloatTensor(ag.Size([2, 2])).shape == (2, 2)


def test_finfo_iinfo_against_torch():
    torch = pytest.importorskip("torch")
    for dt, tdt in ((ag.float32, torch.float32), (ag.float64, torch.float64), (ag.float16, torch.float16),
                    (ag.bfloat16, torch.bfloat16)):
        a, b = ag.finfo(dt), torch.finfo(tdt)
        for k in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
            assert getattr(a, k) == pytest.approx(getattr(b, k), rel=1e-6), (dt, k)
    assert ag.finfo().eps == torch.finfo().eps
    for dt, tdt in ((ag.int64, torch.int64), (ag.int8, torch.int8), (ag.uint8, torch.uint8)):
        a, b = ag.iinfo(dt), torch.iinfo(tdt)
        assert (a.bits, a.min, a.max) == (b.bits, b.min, b.max)


def test_finfo_iinfo_values_and_errors():
    assert ag.finfo(ag.float32).eps == np.finfo(np.float32).eps
    assert ag.iinfo(ag.int32).max == 2 ** 31 - 1
    with pytest.raises(TypeError, match="iinfo"):
        ag.finfo(ag.int64)
    with pytest.raises(TypeError, match="finfo"):
        ag.iinfo(ag.float32)


def test_predicates_and_memory_formats():
    t = ag.ones(2)
    assert ag.is_tensor(t) and not ag.is_tensor(np.ones(2)) and not ag.is_storage(t)
    assert ag.is_floating_point(t) and not ag.is_floating_point(ag.ones(2, dtype=ag.int64))
    assert ag.numel(ag.ones(2, 3)) == 6
    assert repr(ag.preserve_format) == "autograd.preserve_format"
    assert ag.contiguous_format is not ag.channels_last


def test_bfloat16_is_named_and_refused_clearly():
    assert "bfloat16" in repr(ag.bfloat16)
    with pytest.raises(TypeError, match="bfloat16"):
        ag.zeros(2, dtype=ag.bfloat16)
    with pytest.raises(TypeError, match="bfloat16"):
        ag.ones(2).type("torch.BFloat16Tensor")
    assert ag.cuda.is_bf16_supported() is False


# ---------------------------------------------------------------- inference mode
def test_inference_mode_context_and_saved_check():
    w = ag.ones(2, requires_grad=True)
    with ag.inference_mode():
        assert ag.is_inference_mode_enabled() and not ag.is_grad_enabled()
        y = w * 2
    assert not ag.is_inference_mode_enabled() and ag.is_grad_enabled()
    assert not y.requires_grad and y.is_inference()
    assert (y + w).requires_grad  # add saves nothing: allowed, as in PyTorch
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        y * w
    c = y.clone()  # the documented way out
    assert not c.is_inference()
    (c * w).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0]


def test_inference_mode_matches_torch():
    torch = pytest.importorskip("torch")
    tw = torch.ones(2, requires_grad=True)
    with torch.inference_mode():
        ty = tw * 2
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        ty * tw
    assert (ty + tw).requires_grad


def test_inference_mode_decorator_and_false():
    w = ag.ones(2, requires_grad=True)

    @ag.inference_mode
    def f(x):
        return x * 3

    @ag.inference_mode()
    def g(x):
        return x * 3

    @ag.inference_mode(False)
    def h(x):
        return x * 3

    assert f(w).is_inference() and not f(w).requires_grad
    assert g(w).is_inference()
    assert h(w).requires_grad and not h(w).is_inference()
    with ag.inference_mode(False):
        assert not ag.is_inference_mode_enabled() and ag.is_grad_enabled()
    multi = None
    with ag.inference_mode():
        multi = ag.ones(4).split(2)
    assert all(m.is_inference() for m in multi)


# ---------------------------------------------------------------- start-up shims
def test_accelerator_and_backends_flags():
    assert ag.accelerator.is_available() == ag.cuda.is_available()
    cur = ag.accelerator.current_accelerator()
    assert (cur is None) == (not ag.cuda.is_available())
    if cur is not None:
        assert cur.type == "cuda"
    import autograd.backends.cudnn as cudnn

    cudnn.deterministic, cudnn.benchmark = True, False
    assert ag.backends.cudnn.deterministic is True and ag.backends.cudnn.enabled
    ag.backends.cuda.matmul.allow_tf32 = True
    assert ag.backends.cuda.matmul.allow_tf32 is True
    ag.backends.cuda.matmul.allow_tf32 = False
    assert ag.backends.mps.is_available() is False
    t = ag.ones(1)
    assert t.is_xpu is False and t.is_mps is False and t.is_cuda is False


def test_settings_round_trip():
    ag.set_float32_matmul_precision("high")
    assert ag.get_float32_matmul_precision() == "high"
    ag.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError, match="Invalid precision"):
        ag.set_float32_matmul_precision("fast")
    ag.use_deterministic_algorithms(True)
    assert ag.are_deterministic_algorithms_enabled()
    ag.use_deterministic_algorithms(False)
    n = ag.get_num_threads()
    ag.set_num_threads(2)
    assert ag.get_num_threads() == 2
    ag.set_num_threads(n)
    with pytest.raises(RuntimeError, match="positive"):
        ag.set_num_threads(0)
    ag.cuda.manual_seed(3)
    a = ag.rand(2)
    ag.manual_seed(3)
    assert ag.rand(2).tolist() == a.tolist()


def test_set_printoptions_changes_repr():
    try:
        ag.set_printoptions(precision=2)
        assert repr(ag.tensor([1.23456])) == "tensor([1.23])"
    finally:
        ag.set_printoptions(profile="default")
    assert repr(ag.tensor([1.23456])) == "tensor([1.2346])"


def test_compile_returns_its_argument():
    def f(x):
        return x

    assert ag.compile(f) is f
    assert ag.compile(mode="max-autotune")(f) is f
    with pytest.raises(RuntimeError, match="expected a function"):
        ag.compile(3)


def test_default_dtype_round_trip():
    assert ag.get_default_dtype() == ag.float32
    ag.set_default_dtype(ag.float64)
    try:
        assert ag.tensor([1.0]).dtype == ag.float64
    finally:
        ag.set_default_dtype(ag.float32)
