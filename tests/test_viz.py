"""``ag.viz.make_dot``: nodes, edges and labels of known small graphs, rendering, deep graphs."""
from __future__ import annotations

import math
import re
import shutil
import time

import pytest

import autograd as ag
import nn

graphviz = pytest.importorskip("graphviz", reason="make_dot needs the graphviz python package")
from autograd.viz import make_dot  # noqa: E402

_NODE = re.compile(r'^\t+(\S+) \[label=(?:"((?:[^"\\]|\\.)*)"|(\w+))(?: fillcolor="?([^"\]\s]+)"?)?\]$', re.M)
_EDGE = re.compile(r"^\t+(\S+) -> (\S+)$", re.M)


def parse(dot):
    """``({node_id: (label, fillcolor)}, [(tail, head)])`` from a Digraph's DOT source."""
    src = dot.source
    nodes = {m.group(1): (m.group(2) or m.group(3), m.group(4)) for m in _NODE.finditer(src)}
    edges = [(m.group(1), m.group(2)) for m in _EDGE.finditer(src)]
    return nodes, edges


def by_first_line(nodes):
    out = {}
    for nid, (label, colour) in nodes.items():
        out.setdefault(label.split("\n")[0], []).append((nid, label, colour))
    return out


def test_mul_sum_graph_nodes_edges_and_leaf_names():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = ag.tensor([[0.5], [1.0], [2.0]], requires_grad=True)
    y = (x * w.flatten()).sum()
    nodes, edges = parse(make_dot(y, params={"x": x, "w": w}))
    names = by_first_line(nodes)
    # x, w, ReshapeBackward/FlattenBackward (one op), MulBackward, SumBackward and the output box
    assert len(nodes) == 6, nodes
    assert len(edges) == 5, edges
    assert len(names["MulBackward"]) == 1 and len(names["SumBackward"]) == 1
    assert names["x"][0][1] == "x\n(3,)" and names["x"][0][2] == "lightblue"
    assert names["w"][0][1] == "w\n(3, 1)"
    assert names["()"][0][2] == "darkolivegreen1"  # the output, a scalar
    mul = names["MulBackward"][0][0]
    into_mul = {t for t, h in edges if h == mul}
    assert names["x"][0][0] in into_mul and len(into_mul) == 2
    assert (mul, names["SumBackward"][0][0]) in edges


def test_leaf_without_name_shows_shape_only_and_shared_nodes_drawn_once():
    a = ag.ones(2, 3, requires_grad=True)
    b = a * a + a  # a is used three times, drawn once
    nodes, edges = parse(make_dot(b))
    names = by_first_line(nodes)
    assert names["(2, 3)"][0][2] == "lightblue"
    assert len(names["(2, 3)"]) == 2  # the leaf and the output box (both (2, 3))
    assert len(nodes) == 4  # leaf, MulBackward, AddBackward, output
    leaf = next(n for n in names["(2, 3)"] if n[2] == "lightblue")[0]
    assert sum(t == leaf for t, _ in edges) == 3


def test_several_outputs_and_leaf_output():
    x = ag.randn(3, requires_grad=True)
    nodes, edges = parse(make_dot([x.exp(), x]))
    colours = [c for _, c in nodes.values()]
    assert colours.count("darkolivegreen1") == 2
    assert len(nodes) == 4 and len(edges) == 3


def test_show_saved_lists_sizes():
    x = ag.randn(4, 5, requires_grad=True)
    y = x.exp()  # ExpBackward saves its output: 4*5 float32 = 80 bytes
    nodes, _ = parse(make_dot(y, show_saved=True))
    (label,) = [lab for lab, _ in nodes.values() if lab.startswith("ExpBackward")]
    assert "saved (4, 5) 80 B" in label
    nodes, _ = parse(make_dot(y))
    assert all("saved" not in lab for lab, _ in nodes.values())
    y.sum().backward()  # the graph's saved arrays are freed: nothing left to list
    nodes, _ = parse(make_dot(y, show_saved=True))
    assert all("saved" not in lab for lab, _ in nodes.values())


def test_show_attrs_lists_attributes_and_creation_site():
    x = ag.randn(2, 3, requires_grad=True)
    y = x.sum(dim=1, keepdim=True)
    nodes, _ = parse(make_dot(y, show_attrs=True))
    (label,) = [lab for lab, _ in nodes.values() if lab.startswith("SumBackward")]
    assert "keepdim: True" in label
    assert "test_viz.py:" in label  # where the forward ran (file name only)


def test_group_by_module_clusters_ops_and_parameters():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Sequential(nn.Linear(4, 2)))
    loss = model(ag.randn(5, 3)).pow(2).mean()
    dot = make_dot(loss, params=dict(model.named_parameters()), group_by_module=True)
    src = dot.source
    clusters = re.findall(r"subgraph (cluster_\d+) \{(.*?)\n\t\}", src, re.S)
    labels = {re.search(r"label=\"?([\w.]+)\"?", body.strip().splitlines()[-1]).group(1): body
              for _, body in clusters}
    assert set(labels) == {"0", "1", "2.0"}, labels
    assert "0.weight" in labels["0"] and "0.bias" in labels["0"] and "AddmmBackward" in labels["0"]
    assert "TanhBackward" in labels["1"]
    assert "2.0.weight" in labels["2.0"] and "AddmmBackward" in labels["2.0"]
    # the loss ops ran outside any module: outside every cluster
    outside = src
    for _, body in clusters:
        outside = outside.replace(body, "")
    assert "MeanBackward" in outside and "Pow" in outside
    # without grouping there are no clusters
    assert "subgraph" not in make_dot(loss, params=dict(model.named_parameters())).source


def test_show_grad_labels_leaves_with_gradient_norms():
    w = ag.tensor([3.0, 4.0], requires_grad=True)
    v = ag.tensor([1e-6, 0.0], requires_grad=True)
    loss = (w * w).sum() / 2 + (v * 1e-3).sum()  # grad w = w (norm 5); grad v = 1e-3 each
    before, _ = parse(make_dot(loss, params={"w": w, "v": v}, show_grad=True))
    assert all("|grad|" not in lab for lab, _ in before.values())  # no gradients yet
    loss.backward()
    nodes, _ = parse(make_dot(loss, params={"w": w, "v": v}, show_grad=True))
    names = by_first_line(nodes)
    (_, wl, wc) = names["w"][0]
    (_, vl, vc) = names["v"][0]
    assert wl.endswith("|grad| 5")
    norm_v = float(vl.rsplit(" ", 1)[1])
    assert math.isclose(norm_v, math.sqrt(2) * 1e-3, rel_tol=5e-3)
    # coloured on a blue (small) to red (large) scale: the larger norm is redder
    red = lambda c: int(c.lstrip("#")[:2], 16)  # noqa: E731
    assert wc.startswith("#") and vc.startswith("#") and red(wc) > red(vc)


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_anomalous_node_is_drawn_red():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    y = x.sqrt()  # infinite gradient at 0
    z = (y * 2).sum()
    with ag.detect_anomaly():
        with pytest.raises(RuntimeError, match="SqrtBackward"):
            z.backward()
    nodes, _ = parse(make_dot(z))
    names = by_first_line(nodes)
    assert names["SqrtBackward"][0][2] == "red"
    assert names["MulBackward"][0][2] == "lightgrey" and names["SumBackward"][0][2] == "lightgrey"


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="the Graphviz `dot` binary is not installed (apt-get install graphviz)")
def test_renders_to_svg_with_dot():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    loss = model(ag.randn(2, 3)).sum()
    loss.backward(retain_graph=True)
    dot = make_dot(loss, params=dict(model.named_parameters()), show_attrs=True, show_saved=True,
                   group_by_module=True, show_grad=True)
    svg = dot.pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert "AddmmBackward" in svg and "0.weight" in svg and "|grad|" in svg
    assert svg.count('class="node"') == len(parse(dot)[0])


def test_deep_chain_draws_without_recursion_error():
    x = ag.ones(1, requires_grad=True)
    y = x
    n = 100_000
    for _ in range(n):
        y = -y  # the cheapest op to record
    start = time.perf_counter()
    dot = make_dot(y)
    src = dot.source
    elapsed = time.perf_counter() - start
    assert src.count("NegBackward") == n
    assert src.count(" -> ") == n + 1  # the leaf, n ops, the output box
    assert elapsed < 10, f"make_dot of a {n}-op chain took {elapsed:.1f} s"
