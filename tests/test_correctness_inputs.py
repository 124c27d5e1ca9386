"""Inputs that used to be accepted silently: BCE targets outside [0, 1], object and datetime
arrays given to ``ag.tensor``, and NumPy scalars that promoted a float32 tensor to float64."""
from __future__ import annotations

import datetime

import numpy as np
import pytest

import autograd as ag
import nn.functional as F


@pytest.mark.parametrize("target", [1.5, -0.1, float("nan")])
def test_bce_target_outside_unit_interval_raises(device, target):
    x = ag.tensor([0.5, 0.5], device=device)
    t = ag.tensor([0.0, target], device=device)
    with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
        F.binary_cross_entropy(x, t)


def test_bce_target_message_matches_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
        torch.nn.functional.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([1.5]))


@pytest.mark.parametrize("data", [
    np.array([1, "a"], dtype=object),
    np.array([1.0, 2.0], dtype=object),
    np.array(["2020-01-01"], dtype="datetime64[D]"),
    np.array([1], dtype="timedelta64[s]"),
    np.array(["ab"]),
    [datetime.datetime(2020, 1, 1)],
], ids=["object", "object_numbers", "datetime64", "timedelta64", "str", "datetime_list"])
def test_tensor_of_unsupported_array_raises_type_error(device, data):
    with pytest.raises(TypeError, match="can't convert|cannot make a tensor"):
        ag.tensor(data, device=device)
    if isinstance(data, np.ndarray):
        with pytest.raises(TypeError, match="can't convert"):
            ag.as_tensor(data)
        with pytest.raises(TypeError, match="can't convert"):
            ag.from_numpy(data)


# (operand, expected dtype of float32_tensor + operand, of int32_tensor + operand), PyTorch 2.x's
NUMPY_OPERANDS = {
    "float64": (np.float64(2.0), "float32", "float32"),
    "float32": (np.float32(2.0), "float32", "float32"),
    "float16": (np.float16(2.0), "float32", "float32"),
    "int64": (np.int64(2), "float32", "int32"),
    "int32": (np.int32(2), "float32", "int32"),
    "bool": (np.bool_(True), "float32", "float32"),  # PyTorch takes a NumPy bool as a float
    "array0d_float64": (np.array(2.0), "float64", "float64"),  # an array promotes as NumPy does
    "array0d_int64": (np.array(2), "float64", "int64"),
    "array1d_int64": (np.array([2]), "float64", "int64"),
}


@pytest.mark.parametrize("name", list(NUMPY_OPERANDS))
def test_numpy_operand_promotion(device, name):
    s, f_expected, i_expected = NUMPY_OPERANDS[name]
    f = ag.ones(2, dtype=ag.float32, device=device)
    i = ag.ones(2, dtype=ag.int32, device=device)
    assert (f + s).dtype == getattr(ag, f_expected)
    assert (f * s).dtype == getattr(ag, f_expected)
    assert (i + s).dtype == getattr(ag, i_expected)
    assert np.allclose((f + s).cpu().numpy(), 1 + np.asarray(s, dtype=np.float64))


def test_numpy_scalar_keeps_float32_gradient():
    w = ag.ones(3, dtype=ag.float32, requires_grad=True)
    (w * np.float64(0.5)).sum().backward()
    assert w.grad.dtype == ag.float32


@pytest.mark.parametrize("name", list(NUMPY_OPERANDS))
def test_numpy_operand_promotion_vs_torch(name):
    torch = pytest.importorskip("torch")
    s, f_expected, i_expected = NUMPY_OPERANDS[name]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert str((torch.ones(2) + s).dtype) == f"torch.{f_expected}"
        assert str((torch.ones(2, dtype=torch.int32) + s).dtype) == f"torch.{i_expected}"
