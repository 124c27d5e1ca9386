"""take / put / put_ accept only int64 (long) index tensors, as PyTorch 2.13: any other dtype is a
RuntimeError naming it in PyTorch's spelling ("Int", "Short", ...), and a non-Tensor index is a
TypeError."""
from __future__ import annotations

import pytest

import autograd as ag

torch = pytest.importorskip("torch")

DTYPES = ["int32", "int16", "int8", "uint8", "float32", "float64", "bool"]
CALLS = {
    "take": lambda m, x, i: m.take(x, i),
    "Tensor.take": lambda m, x, i: x.take(i),
    "put": lambda m, x, i: m.put(x, i, m.ones(1)),
    "Tensor.put_": lambda m, x, i: x.put_(i, m.ones(1)),
}


def _error(m, call, index):
    x = m.arange(6.0).reshape(2, 3)
    with pytest.raises(Exception) as info:
        CALLS[call](m, x, index)
    return info.type, str(info.value)


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("dtype", DTYPES)
def test_index_of_another_dtype_raises_as_torch(call, dtype):
    got = _error(ag, call, ag.tensor([0], dtype=getattr(ag, dtype)))
    want = _error(torch, call, torch.tensor([0], dtype=getattr(torch, dtype)))
    assert got == want


@pytest.mark.parametrize("call", list(CALLS))
def test_index_that_is_not_a_tensor_is_a_type_error(call):
    kind, message = _error(ag, call, [0])
    assert kind is TypeError and "must be Tensor, not list" in message


def test_long_index_still_takes():
    x = ag.arange(6.0).reshape(2, 3)
    assert x.take(ag.tensor([[0, -1]])).tolist() == [[0.0, 5.0]]
