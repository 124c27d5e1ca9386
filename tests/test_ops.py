"""The op-table driver: every ``OpCase`` of ``tests/op_table/*.py`` on every test device.

For each case:
* forward against the NumPy reference (float64), with contiguous and
  non-contiguous inputs, recorded and under ``no_grad``;
* float64 ``gradcheck`` with a random upstream gradient, contiguous and
  non-contiguous inputs;
* ``gradgradcheck`` where the case says second derivatives exist;
* forward values and gradients against PyTorch (float64) where PyTorch is
  installed and the case names a ``torch_fn``.
One more test asserts that the table covers every op ``autograd`` exports.
"""
from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import all_cases

import autograd as ag
from autograd.tensor import Tensor
from autograd.testing import assert_close

CASES = all_cases()


def _ids(cases):
    return [f"{c.family}.{c.id}" for c in cases]


GRAD_CASES = [c for c in CASES if c.grad]
GRADGRAD_CASES = [c for c in CASES if c.grad and c.gradgrad]
TORCH_CASES = [c for c in CASES if c.torch_fn is not None]

_BASE = settings().max_examples  # 25 by default, more with HYPOTHESIS_PROFILE=thorough
N_FORWARD = max(5, _BASE // 2)
N_GRAD = max(4, _BASE // 4)
N_GRADGRAD = max(2, _BASE // 8)
N_TORCH = max(3, _BASE // 5)


# ---------------------------------------------------------------- helpers
def _leaf(a, device, noncontig=False):
    """A leaf tensor with ``a``'s values on ``device``; with ``noncontig`` its array is a strided,
    transposed view of a larger device array (what transposes and slices hand to ops)."""
    a = np.asarray(a)
    if not noncontig or a.ndim == 0 or a.size == 0:
        return ag.tensor(a, dtype=a.dtype, device=device)
    rev = a.T
    base = np.zeros(rev.shape[:-1] + (2 * rev.shape[-1],), dtype=a.dtype)
    base[..., ::2] = rev
    t = ag.tensor(base, dtype=a.dtype, device=device)
    return Tensor._make(t._data[..., ::2].T, t.device)


def _inputs(case, arrays, device, grad=True, noncontig=False):
    positions = range(len(arrays)) if case.differentiable is None else case.differentiable
    out = []
    for i, a in enumerate(arrays):
        t = _leaf(a, device, noncontig)
        if grad and case.grad and i in positions and t.dtype.kind == "f":
            t.requires_grad_(True)
        out.append(t)
    return out


def _seq(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _check_output(out, ref, case, device, what):
    outs, refs = _seq(out), _seq(ref)
    assert len(outs) == len(refs), f"{what}: {len(outs)} outputs, reference has {len(refs)}"
    for k, (o, r) in enumerate(zip(outs, refs)):
        r = np.asarray(r)
        assert isinstance(o, Tensor), f"{what}: output {k} is a {type(o).__name__}, not a Tensor"
        assert o.device == ag.device(device), f"{what}: output {k} is on {o.device}, expected {device}"
        assert isinstance(o._data, o.device.array_type), \
            f"{what}: output {k} wraps a {type(o._data).__name__}, not an array of {o.device}"
        got = o.detach().cpu().numpy()
        assert got.shape == r.shape, f"{what}: output {k} has shape {got.shape}, expected {r.shape}"
        if r.dtype.kind in "fb" or got.dtype.kind in "fb":
            assert got.dtype == r.dtype, f"{what}: output {k} has dtype {got.dtype}, expected {r.dtype}"
        else:
            assert got.dtype.kind in "iu", f"{what}: output {k} has dtype {got.dtype}, expected integers"
        assert_close(got, r, rtol=case.rtol, atol=case.atol, msg=f"{what}: output {k}")


def _call(case, params):
    return lambda *xs: case.fn(*xs, **params)


# ---------------------------------------------------------------- the properties
@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
@settings(max_examples=N_FORWARD)
@given(data=st.data())
def test_forward(case, device, data):
    arrays, params = data.draw(case.inputs, label="inputs")
    with np.errstate(all="ignore"):
        ref = case.ref(*arrays, **params)
    for noncontig in (False, True):
        kind = "non-contiguous" if noncontig else "contiguous"
        recorded = case.fn(*_inputs(case, arrays, device, True, noncontig), **params)
        _check_output(recorded, ref, case, device, f"{case.id} ({kind}, recorded)")
        with ag.no_grad():
            plain = case.fn(*_inputs(case, arrays, device, False, noncontig), **params)
        _check_output(plain, ref, case, device, f"{case.id} ({kind}, no_grad)")
        assert not any(isinstance(o, Tensor) and o.requires_grad for o in _seq(plain)), \
            "an output made under no_grad requires grad"


@pytest.mark.parametrize("case", GRAD_CASES, ids=_ids(GRAD_CASES))
@settings(max_examples=N_GRAD)
@given(data=st.data())
def test_gradcheck(case, device, data):
    arrays, params = data.draw(case.inputs, label="inputs")
    for noncontig in (False, True):
        xs = _inputs(case, arrays, device, True, noncontig)
        if not any(x.requires_grad for x in xs):
            return
        assert ag.gradcheck(_call(case, params), tuple(xs), eps=case.eps)


@pytest.mark.parametrize("case", GRADGRAD_CASES, ids=_ids(GRADGRAD_CASES))
@settings(max_examples=N_GRADGRAD)
@given(data=st.data())
def test_gradgradcheck(case, device, data):
    arrays, params = data.draw(case.inputs, label="inputs")
    xs = _inputs(case, arrays, device, True)
    if not any(x.requires_grad for x in xs):
        return
    assert ag.gradgradcheck(_call(case, params), tuple(xs), eps=case.eps)


@pytest.mark.parametrize("case", TORCH_CASES, ids=_ids(TORCH_CASES))
@settings(max_examples=N_TORCH)
@given(data=st.data())
def test_against_torch(case, device, data):
    torch = pytest.importorskip("torch")
    arrays, params = data.draw(case.inputs, label="inputs")
    xs = _inputs(case, arrays, device, True)
    txs = [torch.tensor(np.asarray(a), requires_grad=x.requires_grad) for a, x in zip(arrays, xs)]
    outs, touts = _seq(case.fn(*xs, **params)), _seq(case.torch_fn(*txs, **params))
    assert len(outs) == len(touts), f"{len(outs)} outputs, torch gives {len(touts)}"
    rtol, atol = max(case.rtol, 1e-6), max(case.atol, 1e-9)
    for k, (o, t) in enumerate(zip(outs, touts)):
        assert_close(o, t.detach().numpy(), rtol, atol, msg=f"{case.id}: output {k} vs torch")
    rng = np.random.default_rng(0)
    diff = [k for k, o in enumerate(outs) if o.requires_grad]
    wanted = [i for i, x in enumerate(xs) if x.requires_grad]
    if not diff or not wanted:
        return
    vs = [rng.standard_normal(outs[k].shape) for k in diff]
    grads = ag.grad([outs[k] for k in diff], [xs[i] for i in wanted],
                    [ag.tensor(v, dtype=outs[k].dtype, device=device) for k, v in zip(diff, vs)],
                    allow_unused=True)
    tdiff = [k for k in diff if touts[k].requires_grad]
    tgrads = [None] * len(wanted)
    if tdiff:
        tgrads = torch.autograd.grad([touts[k] for k in tdiff], [txs[i] for i in wanted],
                                     [torch.tensor(vs[diff.index(k)], dtype=touts[k].dtype)
                                      for k in tdiff], allow_unused=True)
    for i, g, tg in zip(wanted, grads, tgrads):
        expected = np.zeros(xs[i].shape) if tg is None else tg.numpy()
        got = np.zeros(xs[i].shape) if g is None else g
        assert_close(got, expected, rtol, atol, msg=f"{case.id}: gradient of input {i} vs torch")


# ---------------------------------------------------------------- the table itself
# Public functions of ``autograd`` that are not ops of the table, and where they are tested.
NOT_OPS = {
    # creation functions and random numbers: tests/test_creation.py, tests/test_generator.py
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "arange", "linspace",
    "eye", "rand", "randn", "randint", "randperm", "zeros_like", "ones_like", "full_like", "empty_like",
    "rand_like", "randn_like", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
    # dtype settings: tests/test_dtypes.py
    "set_default_dtype", "get_default_dtype",
    # graph machinery, not ops: tests/test_engine.py, tests/test_grad_mode.py
    "grad", "is_grad_enabled", "gradcheck", "gradgradcheck", "is_anomaly_enabled",
    # DLPack exchange (no graph, no math): tests of the backends
    "from_dlpack",
    # saving and diagnostics: their own tests
    "save", "load", "memory_report",
    # sampling, index grids, predicates and start-up settings: tests/test_api_creation.py, test_api_legacy.py
    "multinomial", "bernoulli", "normal", "randint_like", "logspace", "tril_indices", "triu_indices",
    "is_tensor", "is_storage", "is_floating_point", "numel", "is_inference_mode_enabled",
    "set_float32_matmul_precision", "get_float32_matmul_precision", "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled", "set_num_threads", "get_num_threads", "set_num_interop_threads",
    "get_num_interop_threads", "set_printoptions", "compile",
    # type-promotion queries (dtypes, not tensors): tests/test_math_more.py
    "promote_types", "result_type", "can_cast",
    # spectral windows (creation, no inputs to differentiate): tests/test_window_functions.py
    "hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window",
    # creation that aliases memory or lays out strides: tests/test_creation_more.py
    "empty_strided", "asarray", "frombuffer",
    # torch.<name> spellings of ops in this table (aliases, and the in-place torch.X_ forms of its
    # ops): tests/test_torch_functions.py, tests/test_inplace_more.py
    "divide", "multiply", "subtract", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "swapdims", "t", "detach", "detach_", "fill", "fill_", "zero_", "scalar_tensor", "broadcast_tensors",
    "broadcast_shapes", "unravel_index", "addmv_", "abs_", "acos_", "acosh_", "arccos_", "arccosh_",
    "arcsin_", "arcsinh_", "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_",
    "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "erf_", "erfc_", "exp2_", "exp_",
    "expm1_", "fix_", "floor_", "frac_", "i0_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_",
    "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_",
    "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_",
    # predicates and the conjugation views of real tensors (identities here):
    # tests/test_torch_functions.py, tests/test_spectral_norm_parametrization.py
    "is_complex", "is_conj", "is_inference", "is_neg", "is_nonzero", "is_same_size", "is_signed", "adjoint",
    "conj", "resolve_conj", "resolve_neg",
    # torch.* spellings and real-tensor forms, settings and control flow: tests/test_torch_compat_names.py
    # (frobenius_norm / nuclear_norm are vector_norm / matrix_norm; real, conj_physical are identities)
    "frobenius_norm", "nuclear_norm", "real", "imag", "isreal", "conj_physical", "conj_physical_",
    "nonzero_static", "range", "typename", "cond", "set_default_tensor_type", "set_warn_always",
    "is_warn_always_enabled",
    # torch.func's vmap (a transform of functions): tests/test_func_transforms.py
    "vmap",
}


def exported_functions():
    """Names of the public functions (and other non-class callables) ``autograd`` exports."""
    names = set()
    for name in dir(ag):
        if name.startswith("_"):
            continue
        obj = getattr(ag, name)
        if inspect.ismodule(obj) or inspect.isclass(obj) or not callable(obj):
            continue
        if isinstance(obj, np.dtype):
            continue
        names.add(name)
    return names


def test_table_covers_every_exported_op():
    covered = set()
    for case in CASES:
        covered.add(case.name)
        covered.update(case.covers)
    missing = sorted(exported_functions() - covered - NOT_OPS)
    assert not missing, (
        f"these exported ops have no entry in tests/op_table (add an OpCase, or list them in "
        f"NOT_OPS with the test file that covers them): {missing}"
    )


def test_table_names_exist_and_ids_are_unique():
    import nn.functional as F

    for case in CASES:
        for name in (case.name, *case.covers):
            owners = (Tensor,) if name.startswith("__") else (ag, F)  # engine ops, nn.functional composites
            assert any(hasattr(o, name) for o in owners), \
                f"case {case.id} names {name!r}, which neither autograd nor nn.functional exports"
    ids = _ids(CASES)
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate op-table ids: {dupes}"
