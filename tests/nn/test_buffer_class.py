"""``nn.Buffer`` (PyTorch 2.x): a tensor assigned as a Module attribute becomes a buffer, with its
``persistent`` flag; missing before (AttributeError), as were the ``nn.UninitializedParameter`` /
``nn.UninitializedBuffer`` exports. Checked against PyTorch."""
import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")


def _module(lib):
    class M(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = lib.nn.Linear(2, 2)
            self.scale = lib.nn.Buffer(lib.tensor([2.0, 3.0]))
            self.mask = lib.nn.Buffer(lib.tensor([1.0, 0.0]), persistent=False)
            self.plain = lib.tensor([5.0])  # a plain tensor attribute is not a buffer

        def forward(self, x):
            return self.lin(x) * self.scale * self.mask

    return M()


def test_buffers_registered_as_torch():
    t, a = _module(torch), _module(ag)
    assert [n for n, _ in a.named_buffers()] == [n for n, _ in t.named_buffers()] == ["scale", "mask"]
    assert list(a.state_dict()) == list(t.state_dict())
    assert "mask" not in a.state_dict() and "plain" not in a.state_dict()
    assert [n for n, _ in a.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert isinstance(a.scale, nn.Buffer) and isinstance(a.scale, ag.Tensor)
    assert not isinstance(ag.ones(1), nn.Buffer) and not isinstance(torch.ones(1), torch.nn.Buffer)
    a.load_state_dict({k: ag.tensor(v.numpy()) for k, v in t.state_dict().items()})
    x = np.array([[1.0, -1.0]], dtype=np.float32)
    got, exp = a(ag.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(got, exp, rtol=1e-6)


def test_buffer_follows_module_to_and_replaces_attributes():
    for lib in (torch, ag):
        m = _module(lib).double()
        assert m.scale.dtype == lib.float64 and m.mask.dtype == lib.float64
        m.scale = lib.nn.Buffer(lib.zeros(2), persistent=False)  # re-registered, now non-persistent
        assert "scale" not in m.state_dict()
        m.extra = lib.nn.Buffer(lib.ones(1))  # a new name becomes a buffer
        assert "extra" in dict(m.named_buffers()) and "extra" in m.state_dict()
        with pytest.raises(KeyError, match="attribute 'plain' already exists"):
            m.plain = lib.nn.Buffer(lib.ones(1))  # as PyTorch: a plain attribute is not replaced
        with pytest.raises(TypeError, match="as parameter 'lin'|as child module 'lin'"):
            m.lin = lib.nn.Buffer(lib.ones(1))


def test_buffer_detaches_and_keeps_requires_grad():
    for lib in (torch, ag):
        x = lib.ones(2, requires_grad=True)
        b = lib.nn.Buffer(x * 2)
        assert b.requires_grad and b.grad_fn is None and b.persistent
        e = lib.nn.Buffer()
        assert tuple(e.shape) == (0,)


def test_uninitialized_exports():
    assert nn.UninitializedParameter is nn.parameter.UninitializedParameter
    assert nn.UninitializedBuffer is nn.parameter.UninitializedBuffer
