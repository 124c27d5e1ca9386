"""``autograd.jit`` (``torch.jit``): TorchScript decorators are documented no-ops, so code written for
TorchScript runs eagerly (``@torch.jit.script`` functions and modules, ``trace``, ``ignore``, ...),
and the queries give PyTorch's eager answers."""
from __future__ import annotations

import typing
from typing import Dict, List, Optional, Tuple

import pytest

import autograd as torch
import nn


@torch.jit.script
def _scripted(x: torch.Tensor, k: int = 2) -> torch.Tensor:
    if torch.jit.is_scripting():
        raise AssertionError("the eager branch runs")
    return x * k


class _Block(nn.Module):
    scale: torch.jit.Final[float]

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 2)
        self.scale = 2.0

    @torch.jit.export
    def extra(self, x):
        return self.lin(x)

    @torch.jit.ignore
    def debug(self):
        return "ignored"

    @torch.jit.ignore(drop=False)
    def debug2(self):
        return "kept"

    @torch.jit.unused
    def unused(self):
        return "unused"

    def forward(self, x):
        out: List[torch.Tensor] = torch.jit.annotate(List[torch.Tensor], [])
        out.append(self.lin(x) * self.scale)
        return out[0]


def test_script_and_trace_return_what_they_are_given():
    assert _scripted(torch.tensor([1.0, 2.0])).tolist() == [2.0, 4.0]
    m = _Block()
    assert torch.jit.script(m) is m
    x = torch.randn(4, 3, requires_grad=True)
    traced = torch.jit.trace(m, (x,))
    assert traced is m
    traced(x).sum().backward()
    assert x.grad is not None and m.lin.weight.grad is not None
    assert torch.jit.trace_module(m, {"forward": x}) is m
    assert torch.jit.freeze(m) is m and torch.jit.optimize_for_inference(m) is m
    assert (m.debug(), m.debug2(), m.unused()) == ("ignored", "kept", "unused")
    assert not isinstance(m, torch.jit.ScriptModule)


def test_queries_and_helpers():
    assert torch.jit.is_scripting() is False and torch.jit.is_tracing() is False
    assert torch.jit.Final is typing.Final
    assert torch.jit.annotate(int, 3) == 3 and torch.jit.Attribute(5, int) == 5
    fut = torch.jit.fork(lambda a, b: a + b, 1, b=2)
    assert torch.jit.wait(fut) == 3
    with torch.jit.optimized_execution(False):
        pass
    assert torch.jit.isinstance([1, 2], List[int]) and not torch.jit.isinstance([1, "a"], List[int])
    assert torch.jit.isinstance({"a": torch.ones(1)}, Dict[str, torch.Tensor])
    assert torch.jit.isinstance(None, Optional[int]) and torch.jit.isinstance((1, "a"), Tuple[int, str])
    with pytest.warns(FutureWarning):
        torch.jit.ignore(drop=True)


def test_import_as_a_submodule():
    import importlib

    assert importlib.import_module("autograd.jit") is torch.jit
