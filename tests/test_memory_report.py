"""ag.memory_report: exact byte counts on known graphs, views counted once."""
from __future__ import annotations

import pytest

import autograd as ag
from autograd.observers import observe_record


def test_known_graph_exact_bytes(device):
    x = ag.randn(100, device=device, requires_grad=True)  # float32: 400 bytes
    a = x.exp()            # saves its output a                  -> 400
    b = a.sin()            # saves its input a: same buffer       -> 0
    c = b * x              # saves b and x                        -> 800
    d = c.reshape(10, 10)  # a view: saves nothing
    e = d.tanh()           # saves its output                     -> 400
    loss = e.sum()
    r = ag.memory_report(loss)
    assert r.total_bytes == 1600
    assert r.by_op == {"ExpBackward": 400, "SinBackward": 0, "MulBackward": 800, "ReshapeBackward": 0,
                       "TanhBackward": 400, "SumBackward": 0}
    assert r.count_by_op == dict.fromkeys(r.by_op, 1)
    assert r.by_kind == {"inputs": 800, "outputs": 800, "constants": 0}
    assert r.by_module == {"": 1600}
    assert r.nodes == 6


def test_views_counted_once(device):
    x = ag.randn(10, 10, device=device, requires_grad=True)  # 400 bytes
    s1 = x.t().sin()                  # saves the transposed view of x
    s2 = x.reshape(100).cos()         # saves a reshaped view of x
    s3 = x[2:5].abs()                 # saves a slice of x
    s4 = x.sin()                      # saves x itself
    loss = s1.sum() + s2.sum() + s3.sum() + s4.sum()
    r = ag.memory_report(loss)
    assert r.total_bytes == 400  # naive per-array sum would be 400 * 3 + 120
    assert sum(r.by_op.values()) == r.total_bytes == sum(r.by_module.values())


def test_shared_output_and_dtypes(device):
    x = ag.randn(8, 4, device=device, dtype=ag.float64, requires_grad=True)  # 256 bytes
    y = x.sigmoid()           # saves y: 256
    z = y.tanh()              # saves z: 256
    w = (y * z).sum()         # saves y (dup) and z (dup)
    r = ag.memory_report(w)
    assert r.total_bytes == 512
    assert r.by_op["SigmoidBackward"] == 256 and r.by_op["TanhBackward"] == 256
    assert r.by_op["MulBackward"] == 0


def test_by_module_paths(device):
    x = ag.randn(5, 3, device=device, requires_grad=True)  # 60 bytes
    path = ["encoder.0"]  # stamped on each node as nn stamps module paths: by a record observer
    handle = observe_record(lambda node: setattr(node, "_module", path[0]))
    try:
        h = x.exp()                     # 60 bytes under encoder.0
        path[0] = "decoder"
        out = (h.sqrt() * 2).tanh()     # sqrt saves 60, tanh saves 60 under decoder
    finally:
        handle.remove()
    loss = out.mean()
    r = ag.memory_report(loss)
    assert r.by_module == {"encoder.0": 60, "decoder": 120, "": 0}
    assert r.total_bytes == 180
    text = str(r)
    assert "encoder.0" in text and "decoder" in text and "(no module)" in text


def test_with_nn_modules():
    nn = pytest.importorskip("nn")
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    x = ag.randn(5, 4)
    loss = model(x).pow(2).mean()
    r = ag.memory_report(loss)
    # the hidden activation (5x8 float32 = 160 bytes) is saved by Tanh and by the second Linear:
    # counted once, under the module that saved it first
    assert r.by_module["1"] == 160
    assert set(r.by_module) >= {"0", "1", "2"}
    assert r.total_bytes == sum(r.by_module.values())


def test_freed_graph_reports_zero(device):
    x = ag.randn(50, device=device, requires_grad=True)
    loss = x.exp().tanh().sum()
    assert ag.memory_report(loss).total_bytes == 400
    loss.backward()
    r = ag.memory_report(loss)
    assert r.total_bytes == 0 and r.nodes == 3


def test_leaf_and_several_roots(device):
    x = ag.randn(10, device=device, requires_grad=True)
    assert ag.memory_report(x).total_bytes == 0 and ag.memory_report(x).nodes == 0
    a, b = x.exp(), x.sin()  # 40 each: exp's output, sin's input x
    r = ag.memory_report([a, b])
    assert r.total_bytes == 80 and r.nodes == 2
    with pytest.raises(TypeError, match="Tensor"):
        ag.memory_report("loss")


def test_deep_graph_no_recursion():
    x = ag.randn(4, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y.tanh()
    r = ag.memory_report(y)
    assert r.count_by_op == {"TanhBackward": 20000}
    assert r.total_bytes == 20000 * 16


def test_rendering():
    x = ag.randn(3, requires_grad=True)
    r = ag.memory_report(x.exp().sum())
    text = str(r)
    assert "ExpBackward" in text and "12" in text and "op" in text and "bytes" in text
    html = r._repr_html_()
    assert html.count("<table>") == 2 and "ExpBackward" in html
    assert "total_bytes=12" in repr(r)
