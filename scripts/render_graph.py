"""Draw the graph of a small MLP's loss with ``ag.viz.make_dot`` to docs/graph.svg (README's picture).

Run from the repository root: ``python scripts/render_graph.py [out.svg]``. Needs the
``graphviz`` python package and Graphviz's ``dot`` binary.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402


class MLP(nn.Module):
    """Two linear layers with a ReLU between them."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))


def main(path=None):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = path or os.path.join(root, "docs", "graph.svg")
    ag.manual_seed(0)
    model = MLP()
    x, target = ag.randn(16, 4), ag.randint(0, 3, (16,))
    loss = F.cross_entropy(model(x), target)
    loss.backward(retain_graph=True)
    dot = ag.viz.make_dot(loss, params=dict(model.named_parameters()), group_by_module=True,
                          show_saved=True, show_grad=True)
    dot.graph_attr.update(size="", dpi="72", bgcolor="white")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    svg = dot.pipe(format="svg")
    with open(path, "wb") as f:
        f.write(svg)
    print(f"wrote {path} ({len(svg)} bytes)")


if __name__ == "__main__":
    main(*sys.argv[1:])
