"""Bad inputs across the public API: every misuse raises a specific exception with a useful message.

One table, ``CASES``. Each case is ``(id, misuse, exception type, key words[, torch twin])``:

* ``misuse(d)`` does the wrong thing with tensors on device ``d`` (the test runs it on every
  device of the ``device`` fixture; device-mixing cases pair ``d`` with :func:`other`);
* the exception type is PyTorch's for the same misuse;
* every key word must appear in the message (case-insensitive); a tuple of words means "any of
  these" (e.g. a shape spelled ``2x3`` by one op and ``(2, 3)`` by another). They are the
  informative part: argument names, shapes, dtypes, devices, the op and the user's file;
* the optional torch twin does the same misuse in PyTorch: where torch is installed,
  ``test_torch_raises_the_same`` checks that PyTorch raises the type the table expects.

A few misuses are not errors in PyTorch (the mean of an empty tensor is nan); those are value
checks at the end of the file.
"""
from __future__ import annotations

import math
import os
import pickle

import pytest

import autograd as ag
import nn
import nn.functional as F
import optim
from autograd.utils.data import DataLoader, TensorDataset
from optim.lr_scheduler import LambdaLR, OneCycleLR, ReduceLROnPlateau, StepLR
from tests.shadow import register_shadow

register_shadow()
HERE = os.path.basename(__file__)
NAN = float("nan")


def other(d):
    """A device of another type than ``d`` (for the device-mixing cases)."""
    return "cpu" if d != "cpu" else "shadow"


def S(*dims):
    """A shape as a key word: PyTorch's ``[2, 3]`` or Python's ``(2, 3)``."""
    return (str(list(dims)), str(tuple(dims)))


def r(d, *shape, grad=False):
    return ag.randn(*shape, device=d, requires_grad=grad)


def t(d, data, dtype=None):
    return ag.tensor(data, dtype=dtype, device=d)


def lin(d, i=3, o=2):
    return nn.Linear(i, o).to(d)


def params(d, n=1):
    return [nn.Parameter(ag.zeros(2, device=d)) for _ in range(n)]


# ---------------------------------------------------------------- multi-statement misuses
def backward_twice(d):
    x = r(d, 3, grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def modified_saved_tensor(d):
    x = r(d, 3, grad=True)
    a = x + 1
    b = a * a  # saves a
    a.mul_(2)
    b.sum().backward()


def modified_saved_output(d):
    x = r(d, 3, grad=True)
    y = x.exp()  # saves its output
    y.add_(1)
    y.sum().backward()


def inplace_leaf(d):
    x = r(d, 3, grad=True)
    x.add_(1)


def setitem_leaf(d):
    x = r(d, 3, grad=True)
    x[0] = 1.0


def inplace_leaf_view(d):
    x = r(d, 2, 3, grad=True)
    x[0].mul_(2)


def grad_not_required(d):
    x = r(d, 3, grad=True)
    z = r(d, 3)
    ag.grad((x * z).sum(), [z])


def grad_unused(d):
    x, z = r(d, 3, grad=True), r(d, 3, grad=True)
    ag.grad((x * 2).sum(), [z])


def requires_grad_nonleaf(d):
    x = r(d, 3, grad=True)
    (x * 2).requires_grad_(False)


class _WrongCount(ag.Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        return g


def function_wrong_grad_count(d):
    a, b = r(d, 3, grad=True), r(d, 3, grad=True)
    _WrongCount.apply(a, b).sum().backward()


def bn_batch_of_one(d, cls=nn.BatchNorm1d, shape=(1, 4)):
    m = cls(4).to(d)
    m(r(d, *shape))


def sd_missing(d):
    m = lin(d)
    m.load_state_dict({"weight": m.weight.detach()})


def sd_unexpected(d):
    m = lin(d)
    sd = m.state_dict()
    sd["extra"] = ag.zeros(1, device=d)
    m.load_state_dict(sd)


def sd_size(d):
    m = lin(d)
    m.load_state_dict({"weight": ag.zeros(2, 4, device=d), "bias": ag.zeros(2, device=d)})


def sd_not_mapping(d):
    lin(d).load_state_dict([1, 2])


def opt_sd_groups(d):
    p = params(d, 2)
    o = optim.SGD([{"params": [p[0]]}, {"params": [p[1]]}], lr=0.1)
    optim.SGD(params(d), lr=0.1).load_state_dict(o.state_dict())


def opt_sd_sizes(d):
    o = optim.SGD(params(d, 2), lr=0.1)
    optim.SGD(params(d, 1), lr=0.1).load_state_dict(o.state_dict())


def load_missing(d, tmp):
    ag.load(os.path.join(tmp, "no_such_file.safetensors"))


def load_text(d, tmp):
    path = os.path.join(tmp, "notes.txt")
    with open(path, "w") as fh:
        fh.write("these are not the tensors you are looking for\n" * 4)
    ag.load(path)


def save_obj(obj):
    def misuse(d, tmp):
        ag.save(obj, os.path.join(tmp, "out.safetensors"))
    return misuse


def load_pickled_module(d, tmp):
    path = os.path.join(tmp, "module.safetensors")
    ag.save({"model": nn.Linear(2, 2).to(d), "cfg": {"act": object()}}, path)
    ag.load(path)  # weights_only=True by default: refused


def sgd(d, **kw):
    return optim.SGD(params(d), **{"lr": 0.1, **kw})


def adam(d, **kw):
    return optim.Adam(params(d), **kw)


def loader(d, **kw):
    return DataLoader(TensorDataset(ag.zeros(4, 2, device=d)), **kw)


def lstm_bad_h0(d):
    m = nn.LSTM(3, 4).to(d)
    m(r(d, 5, 2, 3), (ag.zeros(1, 3, 4, device=d), ag.zeros(1, 3, 4, device=d)))


def clip_nonfinite(d):
    p = nn.Parameter(ag.zeros(2, device=d))
    p.grad = t(d, [NAN, 1.0])
    nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def step_lr_step(d, **kw):
    s = StepLR(sgd(d), **kw)
    s.optimizer.step()
    s.step()


# ---------------------------------------------------------------- torch twins
def _tt(torch, data, dtype=None):
    return torch.tensor(data, dtype=dtype)


def _torch_backward_twice(torch):
    x = torch.randn(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _torch_modified_saved(torch):
    x = torch.randn(3, requires_grad=True)
    a = x + 1
    b = a * a
    a.mul_(2)
    b.sum().backward()


def _torch_sd(torch, which):
    m = torch.nn.Linear(3, 2)
    if which == "missing":
        m.load_state_dict({"weight": m.weight.detach()})
    elif which == "unexpected":
        sd = m.state_dict()
        sd["extra"] = torch.zeros(1)
        m.load_state_dict(sd)
    else:
        m.load_state_dict({"weight": torch.zeros(2, 4), "bias": torch.zeros(2)})


def _torch_opt_sd(torch, groups):
    p = [torch.nn.Parameter(torch.zeros(2)) for _ in range(2)]
    o = torch.optim.SGD([{"params": [p[0]]}, {"params": [p[1]]}] if groups else p, lr=0.1)
    torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1).load_state_dict(o.state_dict())


def _torch_bn1(torch):
    torch.nn.BatchNorm1d(4)(torch.randn(1, 4))


def _torch_sgd(torch, **kw):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], **{"lr": 0.1, **kw})


def _torch_step_lr(torch, **kw):
    s = torch.optim.lr_scheduler.StepLR(_torch_sgd(torch), **kw)
    s.optimizer.step()
    s.step()


def _torch_loader(torch, **kw):
    from torch.utils.data import DataLoader as TDL, TensorDataset as TDS
    return TDL(TDS(torch.zeros(4, 2)), **kw)


# ---------------------------------------------------------------- the table
RE, TE, VE, IE = RuntimeError, TypeError, ValueError, IndexError

SHAPES = [
    ("matmul-inner", lambda d: r(d, 2, 3) @ r(d, 4, 5), RE, [("2x3", "(2, 3)"), ("4x5", "(4, 5)")],
     lambda T: T.randn(2, 3) @ T.randn(4, 5)),
    ("matmul-0d", lambda d: ag.matmul(t(d, 1.0), r(d, 3)), RE, ["matmul", "0"],
     lambda T: T.matmul(T.tensor(1.0), T.randn(3))),
    ("mm-1d", lambda d: ag.mm(r(d, 3), r(d, 3, 2)), RE, ["mm", ("2D", "2-D", "matrix")],
     lambda T: T.mm(T.randn(3), T.randn(3, 2))),
    ("mm-inner", lambda d: ag.mm(r(d, 2, 3), r(d, 2, 3)), RE, [("2x3", "(2, 3)")],
     lambda T: T.mm(T.randn(2, 3), T.randn(2, 3))),
    ("bmm-batch", lambda d: ag.bmm(r(d, 2, 3, 4), r(d, 3, 4, 5)), RE, ["bmm", ("2", "3")],
     lambda T: T.bmm(T.randn(2, 3, 4), T.randn(3, 4, 5))),
    ("bmm-rank", lambda d: ag.bmm(r(d, 3, 4), r(d, 4, 5)), RE, ["bmm", ("3D", "3-D")],
     lambda T: T.bmm(T.randn(3, 4), T.randn(4, 5))),
    ("dot-sizes", lambda d: ag.dot(r(d, 3), r(d, 4)), RE, ["dot", "3", "4"],
     lambda T: T.dot(T.randn(3), T.randn(4))),
    ("add-broadcast", lambda d: r(d, 2, 3) + r(d, 4), RE, ["(3)", "(4)", "dimension 1"],
     lambda T: T.randn(2, 3) + T.randn(4)),
    ("mul-broadcast", lambda d: r(d, 5, 2) * r(d, 3, 1), RE, ["(5)", "(3)", "dimension 0"],
     lambda T: T.randn(5, 2) * T.randn(3, 1)),
    ("where-broadcast", lambda d: ag.where(r(d, 3) > 0, r(d, 3), r(d, 4)), RE, ["3", "4"],
     lambda T: T.where(T.randn(3) > 0, T.randn(3), T.randn(4))),
    ("cat-sizes", lambda d: ag.cat([r(d, 2, 3), r(d, 2, 4)]), RE, ["cat", S(2, 3), S(2, 4)],
     lambda T: T.cat([T.randn(2, 3), T.randn(2, 4)])),
    ("cat-rank", lambda d: ag.cat([r(d, 2, 3), r(d, 3)]), RE, ["cat", ("2", "1")],
     lambda T: T.cat([T.randn(2, 3), T.randn(3)])),
    ("cat-empty", lambda d: ag.cat([]), VE, ["cat", ("empty", "non-empty")],
     lambda T: T.cat([])),
    ("cat-dim", lambda d: ag.cat([r(d, 2, 3), r(d, 2, 3)], dim=2), IE, ["dimension out of range", "2"],
     lambda T: T.cat([T.randn(2, 3), T.randn(2, 3)], dim=2)),
    ("stack-sizes", lambda d: ag.stack([r(d, 2, 3), r(d, 3, 2)]), RE,
     ["stack", "equal size", "[2, 3]", "[3, 2]"],
     lambda T: T.stack([T.randn(2, 3), T.randn(3, 2)])),
    ("reshape-size", lambda d: r(d, 2, 3).reshape(4, 2), RE, ["[4, 2]", "size 6"],
     lambda T: T.randn(2, 3).reshape(4, 2)),
    ("view-size", lambda d: r(d, 2, 3).view(5, -1), RE, ["[5, -1]", "size 6"],
     lambda T: T.randn(2, 3).view(5, -1)),
    ("reshape-two-infer", lambda d: r(d, 2, 3).reshape(-1, -1), RE, ["only one dimension can be inferred"],
     lambda T: T.randn(2, 3).reshape(-1, -1)),
    ("expand-size", lambda d: r(d, 2, 3).expand(2, 4), RE,
     ["expanded size", ("(4)", *S(2, 4)), ("(3)", *S(2, 3))],
     lambda T: T.randn(2, 3).expand(2, 4)),
    ("expand-fewer-dims", lambda d: r(d, 2, 3).expand(3), RE, ["expand", ("number of sizes", "dimensions")],
     lambda T: T.randn(2, 3).expand(3)),
    ("sum-dim-range", lambda d: r(d, 2, 3).sum(dim=2), IE, ["dimension out of range", "[-2, 1]", "2"],
     lambda T: T.randn(2, 3).sum(dim=2)),
    ("transpose-dim", lambda d: r(d, 2, 3).transpose(0, 5), IE, ["dimension out of range", "5"],
     lambda T: T.randn(2, 3).transpose(0, 5)),
    ("permute-len", lambda d: r(d, 2, 3).permute(1, 0, 2), RE, ["permute", ("number of dims", "dims")],
     lambda T: T.randn(2, 3).permute(1, 0, 2)),
    ("size-dim", lambda d: r(d, 2, 3).size(4), IE, ["dimension out of range", "4"],
     lambda T: T.randn(2, 3).size(4)),
    ("linear-in-features", lambda d: lin(d, 3, 2)(r(d, 4, 5)), RE,
     [("4x5", "(4, 5)"), ("3x2", "2x3", "in_features")],
     lambda T: T.nn.Linear(3, 2)(T.randn(4, 5))),
    ("conv2d-channels", lambda d: nn.Conv2d(3, 4, 3).to(d)(r(d, 2, 5, 8, 8)), RE,
     ["3 channels", S(2, 5, 8, 8), S(4, 3, 3, 3)],
     lambda T: T.nn.Conv2d(3, 4, 3)(T.randn(2, 5, 8, 8))),
    ("conv2d-rank", lambda d: nn.Conv2d(3, 4, 3).to(d)(r(d, 8, 8)), RE,
     ["conv2d", ("3D", "3-D"), ("4D", "4-D"), S(8, 8)],
     lambda T: T.nn.Conv2d(3, 4, 3)(T.randn(8, 8))),
    ("conv2d-kernel-too-big", lambda d: nn.Conv2d(1, 1, 5).to(d)(r(d, 1, 1, 3, 3)), RE,
     ["kernel", ("3", "5")],
     lambda T: T.nn.Conv2d(1, 1, 5)(T.randn(1, 1, 3, 3))),
    ("batchnorm-channels", lambda d: nn.BatchNorm1d(3).to(d)(r(d, 4, 5)), RE, ["running_mean", "5", "3"],
     lambda T: T.nn.BatchNorm1d(3)(T.randn(4, 5))),
    ("batchnorm1d-rank", lambda d: nn.BatchNorm1d(3).to(d)(r(d, 2, 3, 4, 4)), VE,
     [("2D", "2-D"), ("4D", "4-D")],
     lambda T: T.nn.BatchNorm1d(3)(T.randn(2, 3, 4, 4))),
    ("batchnorm2d-rank", lambda d: nn.BatchNorm2d(3).to(d)(r(d, 2, 3, 4)), VE, [("4D", "4-D"), ("3D", "3-D")],
     lambda T: T.nn.BatchNorm2d(3)(T.randn(2, 3, 4))),
    ("layernorm-shape", lambda d: nn.LayerNorm(5).to(d)(r(d, 2, 3)), RE,
     ["normalized_shape", "[5]", "[2, 3]"],
     lambda T: T.nn.LayerNorm(5)(T.randn(2, 3))),
    ("groupnorm-divisible", lambda d: nn.GroupNorm(3, 4), VE, ["num_channels", "num_groups"],
     lambda T: T.nn.GroupNorm(3, 4)),
    ("lstm-input-size", lambda d: nn.LSTM(3, 4).to(d)(r(d, 5, 2, 6)), RE, ["input_size", "3", "6"],
     lambda T: T.nn.LSTM(3, 4)(T.randn(5, 2, 6))),
    ("lstm-rank", lambda d: nn.LSTM(3, 4).to(d)(r(d, 5, 2, 3, 1)), VE, ["LSTM", ("2D", "2-D"), ("4D", "4-D")],
     lambda T: T.nn.LSTM(3, 4)(T.randn(5, 2, 3, 1))),
    ("lstm-h0-shape", lstm_bad_h0, RE, ["hidden", "(1, 2, 4)", ("[1, 3, 4]", "(1, 3, 4)")],
     lambda T: T.nn.LSTM(3, 4)(T.randn(5, 2, 3), (T.zeros(1, 3, 4), T.zeros(1, 3, 4)))),
    ("ce-batch-mismatch", lambda d: F.cross_entropy(r(d, 4, 3), t(d, [0, 1, 2, 0, 1])), VE,
     ["batch_size", "(4)", "(5)"],
     lambda T: T.nn.functional.cross_entropy(T.randn(4, 3), T.tensor([0, 1, 2, 0, 1]))),
    ("ce-target-rank", lambda d: F.cross_entropy(r(d, 4, 3), t(d, [[0], [1], [2], [0]])), RE,
     ["target", S(4, 1)],
     lambda T: T.nn.functional.cross_entropy(T.randn(4, 3), T.tensor([[0], [1], [2], [0]]))),
    ("mse-shapes", lambda d: F.mse_loss(r(d, 3), r(d, 4)), RE, ["(3)", "(4)"],
     lambda T: T.nn.functional.mse_loss(T.randn(3), T.randn(4))),
    ("bce-target-size", lambda d: F.binary_cross_entropy(r(d, 4, 1).sigmoid(), r(d, 4).sigmoid()), VE,
     ["target size", S(4), S(4, 1)],
     lambda T: T.nn.functional.binary_cross_entropy(T.rand(4, 1), T.rand(4))),
    ("maxpool2d-rank", lambda d: nn.MaxPool2d(2).to(d)(r(d, 4, 4)), RE, [("3D", "3-D"), ("4D", "4-D")],
     lambda T: T.nn.MaxPool2d(2)(T.randn(4, 4))),
    ("pad-odd", lambda d: F.pad(r(d, 2, 3), (1, 1, 1)), (RE, VE), ["pad", ("divisible by 2", "even")],
     lambda T: T.nn.functional.pad(T.randn(2, 3), (1, 1, 1))),
    ("stack-empty", lambda d: ag.stack([]), RE, ["stack", "non-empty"],
     lambda T: T.stack([])),
    ("split-zero", lambda d: r(d, 4).split(0), RE, ["split_size", "0"],
     lambda T: T.randn(4).split(0)),
    ("chunk-zero", lambda d: r(d, 4).chunk(0), RE, ["chunk", "greater than 0", "0"],
     lambda T: T.randn(4).chunk(0)),
    ("unsqueeze-dim", lambda d: r(d, 4).unsqueeze(3), IE, ["dimension out of range", "[-2, 1]", "3"],
     lambda T: T.randn(4).unsqueeze(3)),
    ("flatten-order", lambda d: r(d, 2, 3, 4).flatten(2, 1), RE, ["flatten", "start_dim", "end_dim"],
     lambda T: T.randn(2, 3, 4).flatten(2, 1)),
    ("repeat-fewer", lambda d: r(d, 2, 3).repeat(2), RE, ["repeat", "number of dimensions"],
     lambda T: T.randn(2, 3).repeat(2)),
    ("unflatten-sizes", lambda d: r(d, 6).unflatten(0, (4, 2)), RE, ["unflatten", "[4, 2]", "(6)"],
     lambda T: T.randn(6).unflatten(0, (4, 2))),
    ("einsum-sizes", lambda d: ag.einsum("ij,jk->ik", r(d, 2, 3), r(d, 4, 5)), RE, ["einsum", "j", "4", "3"],
     lambda T: T.einsum("ij,jk->ik", T.randn(2, 3), T.randn(4, 5))),
    ("outer-2d", lambda d: ag.outer(r(d, 2, 3), r(d, 3)), RE, ["outer", ("1-D", "1D"), S(2, 3)],
     lambda T: T.outer(T.randn(2, 3), T.randn(3))),
    ("roll-align", lambda d: r(d, 3).roll(1, dims=(0, 1)), RE, ["shifts", "dims"],
     lambda T: T.randn(3).roll(1, dims=(0, 1))),
    ("ce-weight-size",
     lambda d: F.cross_entropy(r(d, 3, 5), t(d, [0, 1, 2]), weight=ag.ones(4, device=d)), RE,
     ["weight", "5 classes", "[4]"],
     lambda T: T.nn.functional.cross_entropy(T.randn(3, 5), T.tensor([0, 1, 2]), weight=T.ones(4))),
    ("nll-1d-input", lambda d: F.nll_loss(r(d, 5), t(d, [0, 1])), VE, ["target", S(5), S(2)],
     lambda T: T.nn.functional.nll_loss(T.randn(5), T.tensor([0, 1]))),
    ("bce-logits-size", lambda d: F.binary_cross_entropy_with_logits(r(d, 3), r(d, 4)), VE,
     ["target size", S(4), S(3)],
     lambda T: T.nn.functional.binary_cross_entropy_with_logits(T.randn(3), T.randn(4))),
    ("gru-h0-shape", lambda d: nn.GRU(3, 4).to(d)(r(d, 5, 2, 3), ag.zeros(2, 2, 4, device=d)), RE,
     ["hidden", "(1, 2, 4)", ("[2, 2, 4]", "(2, 2, 4)")],
     lambda T: T.nn.GRU(3, 4)(T.randn(5, 2, 3), T.zeros(2, 2, 4))),
    ("lstmcell-input", lambda d: nn.LSTMCell(3, 4).to(d)(r(d, 2, 5)), RE, ["input_size", "5", "3"],
     lambda T: T.nn.LSTMCell(3, 4)(T.randn(2, 5))),
    ("rnncell-batch", lambda d: nn.RNNCell(3, 4).to(d)(r(d, 2, 3), ag.zeros(3, 4, device=d)), RE,
     ["hidden", S(3, 4), S(2, 3)], lambda T: T.nn.RNNCell(3, 4)(T.randn(2, 3), T.zeros(3, 4))),
    ("avgpool-pad", lambda d: nn.AvgPool2d(2, padding=2).to(d)(r(d, 1, 1, 4, 4)), RE,
     ["pad", "half", "kernel"],
     lambda T: T.nn.AvgPool2d(2, padding=2)(T.randn(1, 1, 4, 4))),
]

DTYPES = [
    ("gather-float-index", lambda d: ag.gather(r(d, 2, 3), 1, t(d, [[0.0], [1.0]])), RE,
     ["gather", "index", "int64"],
     lambda T: T.gather(T.randn(2, 3), 1, T.tensor([[0.0], [1.0]]))),
    ("index-select-float", lambda d: ag.index_select(r(d, 3), 0, t(d, [0.0, 1.0])), RE,
     ["index_select", "index", "int64"],
     lambda T: T.index_select(T.randn(3), 0, T.tensor([0.0, 1.0]))),
    ("getitem-float-tensor", lambda d: r(d, 3)[t(d, [0.0, 1.0])], IE, ["long", "bool", ("float", "Float")],
     lambda T: T.randn(3)[T.tensor([0.0, 1.0])]),
    ("embedding-float", lambda d: nn.Embedding(5, 2).to(d)(t(d, [0.0, 1.0])), RE,
     ["indices", "int64", "float32"],
     lambda T: T.nn.Embedding(5, 2)(T.tensor([0.0, 1.0]))),
    ("int-requires-grad", lambda d: ag.tensor([1, 2], device=d, requires_grad=True), RE,
     ["floating point", "int64"], lambda T: T.tensor([1, 2], requires_grad=True)),
    ("int-requires-grad-", lambda d: t(d, [1, 2]).requires_grad_(), RE, ["floating point", "int64"],
     lambda T: T.tensor([1, 2]).requires_grad_()),
    ("ce-float-target-shape", lambda d: F.cross_entropy(r(d, 3, 5), r(d, 3)), RE, ["target", S(3, 5), S(3)],
     lambda T: T.nn.functional.cross_entropy(T.randn(3, 5), T.randn(3))),
    ("nll-float-target", lambda d: F.nll_loss(r(d, 3, 5), r(d, 3)), RE, ["target", "integer", "float32"],
     lambda T: T.nn.functional.nll_loss(T.randn(3, 5), T.randn(3))),
    ("bool-sub", lambda d: (r(d, 3) > 0) - (r(d, 3) > 0), RE, ["bool", "-"],
     lambda T: (T.randn(3) > 0) - (T.randn(3) > 0)),
    ("bool-neg", lambda d: -(r(d, 3) > 0), RE, ["bool", ("negation", "-")],
     lambda T: -(T.randn(3) > 0)),
    ("masked-fill-float-mask", lambda d: r(d, 3).masked_fill(r(d, 3), 0.0), RE, ["masked_fill", "bool"],
     lambda T: T.randn(3).masked_fill(T.randn(3), 0.0)),
    ("one-hot-float", lambda d: F.one_hot(t(d, [0.0, 1.0]), 3), RE, ["one_hot", "index"],
     lambda T: T.nn.functional.one_hot(T.tensor([0.0, 1.0]), 3)),
    ("tensor-ragged", lambda d: ag.tensor([[1.0, 2.0], [3.0]], device=d), VE,
     ["inhomogeneous", ("(2,)", "length 2")],
     lambda T: T.tensor([[1.0, 2.0], [3.0]])),
    ("bad-dtype-name", lambda d: ag.zeros(2, dtype="floaty", device=d), TE, ["floaty"],
     lambda T: T.zeros(2, dtype="floaty")),
    ("matmul-int-float", lambda d: r(d, 2, 3) @ ag.ones(3, 2, dtype=ag.int64, device=d), RE,
     ["same dtype", "float32", "int64"], lambda T: T.randn(2, 3) @ T.ones(3, 2, dtype=T.long)),
    ("floordiv-int-zero", lambda d: t(d, [1, 2]) // t(d, [0, 1]), RE, ["division by zero", "floor_divide"],
     lambda T: T.tensor([1, 2]) // T.tensor([0, 1])),
    ("remainder-int-zero", lambda d: t(d, [1, 2]) % 0, RE, ["division by zero", "remainder"],
     lambda T: T.tensor([1, 2]) % 0),
    ("where-float-condition", lambda d: ag.where(r(d, 3), r(d, 3), r(d, 3)), RE,
     ["condition", "bool", "float32"],
     lambda T: T.where(T.randn(3), T.randn(3), T.randn(3))),
    ("pow-int-negative", lambda d: t(d, [2, 3]) ** -1, RE, ["integers", "negative", "power"],
     lambda T: T.tensor([2, 3]) ** -1),
    ("set-default-int", lambda d: ag.set_default_dtype(ag.int64), TE, ["floating", "int64"],
     lambda T: T.set_default_dtype(T.int64)),
    ("float-multi", lambda d: float(r(d, 3)), VE, ["only one element", "3 elements", S(3)],
     lambda T: float(T.randn(3))),
]

DEVICES = [
    ("dev-add", lambda d: r(d, 3) + r(other(d), 3), RE, ["cpu", "shadow"],
     lambda T: T.randn(3) + T.randn(3, device="meta")),
    ("dev-mul-grad", lambda d: r(d, 3, grad=True) * r(other(d), 3), RE, ["cpu", "shadow", "Mul"],
     lambda T: T.randn(3, requires_grad=True) * T.randn(3, device="meta")),
    ("dev-matmul", lambda d: r(d, 2, 3) @ r(other(d), 3, 2), RE, ["cpu", "shadow"], None),
    ("dev-cat", lambda d: ag.cat([r(d, 2), r(other(d), 2)]), RE, ["cpu", "shadow"],
     lambda T: T.cat([T.randn(2), T.randn(2, device="meta")])),
    ("dev-stack", lambda d: ag.stack([r(d, 2), r(other(d), 2)]), RE, ["cpu", "shadow"],
     lambda T: T.stack([T.randn(2), T.randn(2, device="meta")])),
    ("dev-where", lambda d: ag.where(r(d, 3) > 0, r(d, 3), r(other(d), 3)), RE, ["cpu", "shadow"],
     lambda T: T.where(T.randn(3) > 0, T.randn(3), T.randn(3, device="meta"))),
    ("dev-module-input", lambda d: lin(d)(r(other(d), 4, 3)), RE, ["cpu", "shadow"],
     lambda T: T.nn.Linear(3, 2)(T.randn(4, 3, device="meta"))),
    ("dev-conv-input", lambda d: nn.Conv2d(1, 1, 1).to(d)(r(other(d), 1, 1, 2, 2)), RE,
     ["cpu", "shadow"], None),
    ("dev-loss", lambda d: F.mse_loss(r(d, 3), r(other(d), 3)), RE, ["cpu", "shadow"],
     lambda T: T.nn.functional.mse_loss(T.randn(3), T.randn(3, device="meta"))),
    ("dev-gather-index", lambda d: ag.gather(r(d, 2, 3), 1, t(other(d), [[0], [1]])), RE,
     ["cpu", "shadow"], None),
    ("dev-unknown", lambda d: ag.zeros(2, device="bogus"), RE, ["bogus"],
     lambda T: T.zeros(2, device="bogus")),
    ("tensor-to-unknown", lambda d: r(d, 2).to("gpu"), RE, ["gpu", "device"],
     lambda T: T.randn(2).to("gpu")),
    ("module-to-unknown", lambda d: lin(d).to("bogus"), RE, ["bogus", "device"],
     lambda T: T.nn.Linear(2, 2).to("bogus")),
]

NEGATIVE = [
    ("zeros-negative", lambda d: ag.zeros(-1, device=d), RE, ["negative dimension", "-1"],
     lambda T: T.zeros(-1)),
    ("randn-negative", lambda d: ag.randn(2, -3, device=d), RE, ["negative dimension", "-3"],
     lambda T: T.randn(2, -3)),
    ("full-negative", lambda d: ag.full((-2,), 1.0, device=d), RE, ["negative dimension", "-2"],
     lambda T: T.full((-2,), 1.0)),
    ("linear-negative", lambda d: nn.Linear(-1, 2), RE, ["negative dimension", "-1"],
     lambda T: T.nn.Linear(-1, 2)),
    ("embedding-negative", lambda d: nn.Embedding(-5, 2), RE, ["negative dimension", "-5"],
     lambda T: T.nn.Embedding(-5, 2)),
    ("conv2d-groups-zero", lambda d: nn.Conv2d(4, 4, 3, groups=0), VE, ["groups", "positive"],
     lambda T: T.nn.Conv2d(4, 4, 3, groups=0)),
    ("conv2d-groups-divide", lambda d: nn.Conv2d(3, 4, 3, groups=2), VE,
     ["in_channels", "divisible", "groups"],
     lambda T: T.nn.Conv2d(3, 4, 3, groups=2)),
    ("conv2d-zero-out-channels", lambda d: nn.Conv2d(3, 0, 3).to(d)(r(d, 1, 3, 5, 5)), RE,
     ["weight", S(0, 3, 3, 3)], lambda T: T.nn.Conv2d(3, 0, 3)(T.randn(1, 3, 5, 5))),
    ("conv2d-stride-zero", lambda d: nn.Conv2d(1, 1, 3, stride=0).to(d)(r(d, 1, 1, 5, 5)), RE, ["stride"],
     lambda T: T.nn.Conv2d(1, 1, 3, stride=0)(T.randn(1, 1, 5, 5))),
    ("conv2d-same-strided", lambda d: nn.Conv2d(1, 1, 3, stride=2, padding="same"), VE, ["same", "strided"],
     lambda T: T.nn.Conv2d(1, 1, 3, stride=2, padding="same")),
    ("conv2d-padding-str", lambda d: nn.Conv2d(1, 1, 3, padding="full"), VE, ["padding", "full"],
     lambda T: T.nn.Conv2d(1, 1, 3, padding="full")),
    ("dropout-p", lambda d: nn.Dropout(p=1.5), VE, ["dropout probability", "1.5"],
     lambda T: T.nn.Dropout(p=1.5)),
    ("dropout2d-p", lambda d: nn.Dropout2d(p=-0.1), VE, ["dropout probability", "-0.1"],
     lambda T: T.nn.Dropout2d(p=-0.1)),
    ("f-dropout-p", lambda d: F.dropout(r(d, 3), p=2.0), VE, ["dropout probability", "2.0"],
     lambda T: T.nn.functional.dropout(T.randn(3), p=2.0)),
    ("randint-high-low", lambda d: ag.randint(5, 5, (2,), device=d), RE, ["from", "to", "5"],
     lambda T: T.randint(5, 5, (2,))),
    ("arange-step-zero", lambda d: ag.arange(0, 5, 0, device=d), RE, ["step", "nonzero"],
     lambda T: T.arange(0, 5, 0)),
    ("arange-wrong-sign", lambda d: ag.arange(0, 5, -1, device=d), RE, ["bound", "step sign", "step=-1"],
     lambda T: T.arange(0, 5, -1)),
    ("linspace-negative-steps", lambda d: ag.linspace(0, 1, -2, device=d), RE, ["steps", "non-negative"],
     lambda T: T.linspace(0, 1, -2)),
    ("rnn-nonlinearity", lambda d: nn.RNN(3, 4, nonlinearity="sigmoid"), VE, ["nonlinearity", "sigmoid"],
     lambda T: T.nn.RNN(3, 4, nonlinearity="sigmoid")),
    ("loss-reduction", lambda d: F.mse_loss(r(d, 3), r(d, 3), reduction="avg"), VE, ["avg", "reduction"],
     lambda T: T.nn.functional.mse_loss(T.randn(3), T.randn(3), reduction="avg")),
    ("bce-out-of-range", lambda d: F.binary_cross_entropy(t(d, [0.5, 1.5]), t(d, [0.0, 1.0])), RE,
     ["input", "between 0 and 1"],
     lambda T: T.nn.functional.binary_cross_entropy(T.tensor([0.5, 1.5]), T.tensor([0.0, 1.0]))),
    ("xavier-1d", lambda d: nn.init.xavier_uniform_(ag.zeros(3, device=d)), VE,
     ["fan in", "fewer than 2 dimensions"],
     lambda T: T.nn.init.xavier_uniform_(T.zeros(3))),
    ("calculate-gain", lambda d: nn.init.calculate_gain("swish"), VE, ["swish"],
     lambda T: T.nn.init.calculate_gain("swish")),
    ("eye-negative", lambda d: ag.eye(-1, device=d), RE, ["eye", "-1"],
     lambda T: T.eye(-1)),
    ("maxpool-kernel-zero", lambda d: nn.MaxPool2d(0).to(d)(r(d, 1, 1, 4, 4)), RE,
     [("stride", "kernel"), ("zero", "positive")],
     lambda T: T.nn.MaxPool2d(0)(T.randn(1, 1, 4, 4))),
    ("pad-mode", lambda d: F.pad(r(d, 2, 3), (1, 1), mode="bogus"), NotImplementedError,
     ["padding mode", "bogus"],
     lambda T: T.nn.functional.pad(T.randn(2, 3), (1, 1), mode="bogus")),
    ("label-smoothing", lambda d: F.cross_entropy(r(d, 3, 5), t(d, [0, 1, 2]), label_smoothing=1.5), RE,
     ["label_smoothing", "1.5"],
     lambda T: T.nn.functional.cross_entropy(T.randn(3, 5), T.tensor([0, 1, 2]), label_smoothing=1.5)),
    ("lstm-dropout", lambda d: nn.LSTM(3, 4, dropout=1.5), VE, ["dropout", "[0, 1]"],
     lambda T: T.nn.LSTM(3, 4, dropout=1.5)),
    ("lstm-hidden-zero", lambda d: nn.LSTM(3, 0), VE, ["hidden_size", "greater than zero"],
     lambda T: T.nn.LSTM(3, 0)),
    ("lstm-layers-zero", lambda d: nn.LSTM(3, 4, num_layers=0), VE, ["num_layers", "greater than zero"],
     lambda T: T.nn.LSTM(3, 4, num_layers=0)),
    ("clamp-none", lambda d: r(d, 2).clamp(), RE, ["clamp", "min", "max"],
     lambda T: T.randn(2).clamp()),
]

TYPES = [
    ("sum-dim-float", lambda d: r(d, 2, 3).sum(dim=1.0), TE, ["dim", "float"],
     lambda T: T.randn(2, 3).sum(dim=1.0)),
    ("softmax-dim-float", lambda d: r(d, 2, 3).softmax(1.5), TE, ["dim", "float"],
     lambda T: T.randn(2, 3).softmax(1.5)),
    ("reshape-str", lambda d: r(d, 2, 3).reshape("6"), TE, ["shape", "str"],
     lambda T: T.randn(2, 3).reshape("6")),
    ("zeros-str", lambda d: ag.zeros("3", device=d), TE, ["size", "str"],
     lambda T: T.zeros("3")),
    ("zeros-float", lambda d: ag.zeros(2.5, device=d), TE, ["size", "float"],
     lambda T: T.zeros(2.5)),
    # PyTorch raises RuntimeError("Could not infer dtype of object"); a wrong type is a TypeError here
    ("tensor-object", lambda d: ag.tensor(object(), device=d), TE, ["object", "dtype"], None),
    ("tensor-set", lambda d: ag.tensor({1, 2}, device=d), TE, ["set"], None),
    ("add-str", lambda d: r(d, 3) + "a", TE, ["str"],
     lambda T: T.randn(3) + "a"),
    ("linear-str-features", lambda d: nn.Linear("3", 2), TE, ["str"],
     lambda T: T.nn.Linear("3", 2)),
    ("sgd-tensor-params", lambda d: optim.SGD(ag.zeros(2, device=d, requires_grad=True), lr=0.1), TE,
     ["iterable", "Tensor"], lambda T: T.optim.SGD(T.zeros(2, requires_grad=True), lr=0.1)),
    ("sgd-lr-str", lambda d: sgd(d, lr="fast"), TE, ["lr", "str"],
     lambda T: _torch_sgd(T, lr="fast")),
    ("sgd-empty", lambda d: optim.SGD([], lr=0.1), VE, ["empty parameter list"],
     lambda T: T.optim.SGD([], lr=0.1)),
    ("sgd-nonleaf", lambda d: optim.SGD([r(d, 2, grad=True) * 2], lr=0.1), VE, ["non-leaf"],
     lambda T: T.optim.SGD([T.randn(2, requires_grad=True) * 2], lr=0.1)),
    ("sgd-duplicate-groups",
     lambda d: (lambda p: optim.SGD([{"params": p}, {"params": p}], lr=0.1))(params(d)), VE,
     ["more than one parameter group"],
     lambda T: (lambda p: T.optim.SGD([{"params": p}, {"params": p}], lr=0.1))(
         [T.nn.Parameter(T.zeros(2))])),
    ("module-assign-tensor", lambda d: setattr(lin(d), "weight", ag.zeros(2, 3, device=d)), TE,
     ["weight", "Parameter"], lambda T: setattr(T.nn.Linear(3, 2), "weight", T.zeros(2, 3))),
    ("modulelist-non-module", lambda d: nn.ModuleList([lin(d), 3]), TE,
     ["int", "Module"], lambda T: T.nn.ModuleList([T.nn.Linear(3, 2), 3])),
    ("sequential-index", lambda d: nn.Sequential(lin(d))[3], IE, ["index", "3"],
     lambda T: T.nn.Sequential(T.nn.Linear(3, 2))[3]),
    ("vector-to-params-list", lambda d: nn.utils.vector_to_parameters([1.0, 2.0], params(d)), TE, ["list"],
     lambda T: T.nn.utils.vector_to_parameters([1.0, 2.0], [T.nn.Parameter(T.zeros(2))])),
    ("scheduler-not-optimizer", lambda d: StepLR("sgd", step_size=2), TE, ["str", "Optimizer"],
     lambda T: T.optim.lr_scheduler.StepLR("sgd", step_size=2)),
    ("from-numpy-list", lambda d: ag.from_numpy([1, 2]), TE, ["ndarray", "list"],
     lambda T: T.from_numpy([1, 2])),
    # PyTorch: ValueError from int("a"); a str seed is a TypeError here
    ("manual-seed-str", lambda d: ag.manual_seed("a"), TE, ["manual_seed", "int", "str"], None),
    ("len-0d", lambda d: len(t(d, 1.0)), TE, ["len()", "0-d"],
     lambda T: len(T.tensor(1.0))),
    ("add-module-dot", lambda d: nn.Module().add_module("a.b", lin(d)), KeyError, ["module name", "."],
     lambda T: T.nn.Module().add_module("a.b", T.nn.Linear(2, 2))),
    ("register-buffer-dot", lambda d: nn.Module().register_buffer("a.b", ag.zeros(2, device=d)), KeyError,
     ["buffer name", "."], lambda T: T.nn.Module().register_buffer("a.b", T.zeros(2))),
    ("register-buffer-list", lambda d: nn.Module().register_buffer("a", [1]), TE, ["list", "buffer 'a'"],
     lambda T: T.nn.Module().register_buffer("a", [1])),
    ("register-parameter-tensor", lambda d: nn.Module().register_parameter("a", ag.zeros(2, device=d)), TE,
     ["parameter 'a'", "Parameter"], lambda T: T.nn.Module().register_parameter("a", T.zeros(2))),
]

# PyTorch accepts lr=nan and momentum=nan silently (its checks are `lr < 0.0`); xpgrad refuses NaN
HYPER = [
    ("sgd-lr-nan", lambda d: sgd(d, lr=NAN), VE, ["learning rate", "nan"], None),
    ("sgd-lr-negative", lambda d: sgd(d, lr=-0.1), VE, ["learning rate", "-0.1"],
     lambda T: _torch_sgd(T, lr=-0.1)),
    ("sgd-momentum-nan", lambda d: sgd(d, momentum=NAN), VE, ["momentum", "nan"], None),
    ("sgd-momentum-negative", lambda d: sgd(d, momentum=-0.5), VE, ["momentum", "-0.5"],
     lambda T: _torch_sgd(T, momentum=-0.5)),
    ("sgd-nesterov", lambda d: sgd(d, nesterov=True), VE, ["nesterov", "momentum"],
     lambda T: _torch_sgd(T, nesterov=True)),
    ("sgd-weight-decay", lambda d: sgd(d, weight_decay=-1.0), VE, ["weight_decay", "-1.0"],
     lambda T: _torch_sgd(T, weight_decay=-1.0)),
    ("adam-betas-nan", lambda d: adam(d, betas=(NAN, 0.999)), VE, ["beta", "nan"], None),
    ("adam-beta2-one", lambda d: adam(d, betas=(0.9, 1.0)), VE, ["beta", "index 1", "1.0"],
     lambda T: T.optim.Adam([T.nn.Parameter(T.zeros(2))], betas=(0.9, 1.0))),
    ("adam-eps", lambda d: adam(d, eps=-1e-8), VE, ["epsilon", "-1e-08"],
     lambda T: T.optim.Adam([T.nn.Parameter(T.zeros(2))], eps=-1e-8)),
    ("adamw-lr-nan", lambda d: optim.AdamW(params(d), lr=NAN), VE, ["learning rate", "nan"], None),
    ("rmsprop-alpha", lambda d: optim.RMSprop(params(d), alpha=-0.5), VE, ["alpha", "-0.5"],
     lambda T: T.optim.RMSprop([T.nn.Parameter(T.zeros(2))], alpha=-0.5)),
]

STATE = [
    ("sd-missing", sd_missing, RE, ["Missing key", "bias"], lambda T: _torch_sd(T, "missing")),
    ("sd-unexpected", sd_unexpected, RE, ["Unexpected key", "extra"], lambda T: _torch_sd(T, "unexpected")),
    ("sd-size", sd_size, RE, ["size mismatch", "weight", S(2, 4), S(2, 3)], lambda T: _torch_sd(T, "size")),
    ("sd-not-mapping", sd_not_mapping, TE, ["state_dict", "list"],
     lambda T: T.nn.Linear(3, 2).load_state_dict([1, 2])),
    ("opt-sd-groups", opt_sd_groups, VE, ["number of parameter groups"], lambda T: _torch_opt_sd(T, True)),
    ("opt-sd-sizes", opt_sd_sizes, VE, ["parameter group", "size"], lambda T: _torch_opt_sd(T, False)),
]

INDEX = [
    ("getitem-range", lambda d: r(d, 3)[5], IE, ["index 5", "dimension 0", "size 3"],
     lambda T: T.randn(3)[5]),
    ("getitem-range-dim1", lambda d: r(d, 2, 3)[:, -4], IE, ["-4", "dimension 1", "size 3"],
     lambda T: T.randn(2, 3)[:, -4]),
    ("getitem-tensor-range", lambda d: r(d, 3)[t(d, [0, 7])], IE, ["7", "size 3"],
     lambda T: T.randn(3)[T.tensor([0, 7])]),
    ("getitem-too-many", lambda d: r(d, 3)[0, 0], IE, ["too many indices", "1"],
     lambda T: T.randn(3)[0, 0]),
    ("getitem-mask-shape", lambda d: r(d, 3)[t(d, [True, False])], IE, ["mask", "[2]", "[3]"],
     lambda T: T.randn(3)[T.tensor([True, False])]),
    ("setitem-range", lambda d: r(d, 3).__setitem__(4, 1.0), IE, ["index 4", "size 3"],
     lambda T: T.randn(3).__setitem__(4, 1.0)),
    ("gather-range", lambda d: ag.gather(r(d, 2, 3), 1, t(d, [[0], [5]])), RE,
     ["index 5", "dimension 1", "size 3"],
     lambda T: T.gather(T.randn(2, 3), 1, T.tensor([[0], [5]]))),
    ("gather-rank", lambda d: ag.gather(r(d, 2, 3), 1, t(d, [0, 1])), RE,
     ["gather", "index", "same number of dimensions"],
     lambda T: T.gather(T.randn(2, 3), 1, T.tensor([0, 1]))),
    ("scatter-range", lambda d: ag.scatter(r(d, 2, 3), 1, t(d, [[3], [0]]), r(d, 2, 1)), RE,
     ["index 3", "size 3"],
     lambda T: T.scatter(T.randn(2, 3), 1, T.tensor([[3], [0]]), T.randn(2, 1))),
    ("index-select-range", lambda d: ag.index_select(r(d, 3, 2), 0, t(d, [0, 3])), IE,
     ["index", ("out of range", "3")],
     lambda T: T.index_select(T.randn(3, 2), 0, T.tensor([0, 3]))),
    ("embedding-range", lambda d: nn.Embedding(5, 2).to(d)(t(d, [0, 5])), IE,
     ["index", ("out of range", "5")],
     lambda T: T.nn.Embedding(5, 2)(T.tensor([0, 5]))),
    ("ce-class-range", lambda d: F.cross_entropy(r(d, 2, 3), t(d, [0, 3])), IE, ["Target 3", "out of bounds"],
     lambda T: T.nn.functional.cross_entropy(T.randn(2, 3), T.tensor([0, 3]))),
    ("nll-negative-target", lambda d: F.nll_loss(r(d, 2, 3), t(d, [0, -1])), IE,
     ["Target -1", "out of bounds"],
     lambda T: T.nn.functional.nll_loss(T.randn(2, 3), T.tensor([0, -1]))),
    ("one-hot-classes", lambda d: F.one_hot(t(d, [0, 4]), 3), RE, ["class values", "num_classes"],
     lambda T: T.nn.functional.one_hot(T.tensor([0, 4]), 3)),
]

EMPTY = [
    ("bn1d-batch-of-one", bn_batch_of_one, VE, ["more than 1 value per channel", S(1, 4)],
     lambda T: _torch_bn1(T)),
    ("bn2d-batch-of-one", lambda d: bn_batch_of_one(d, nn.BatchNorm2d, (1, 4, 1, 1)), VE,
     ["more than 1 value per channel", S(1, 4, 1, 1)], lambda T: T.nn.BatchNorm2d(4)(T.randn(1, 4, 1, 1))),
    ("max-empty", lambda d: ag.zeros(0, device=d).max(), RE, ["max", "numel() == 0", "dim"],
     lambda T: T.zeros(0).max()),
    ("argmax-empty", lambda d: ag.zeros(0, 3, device=d).argmax(), IE, ["argmax", "numel() == 0"],
     lambda T: T.zeros(0, 3).argmax()),
    ("max-empty-dim", lambda d: ag.zeros(0, 3, device=d).max(dim=0), IE, ["max", "dim 0", "non-zero size"],
     lambda T: T.zeros(0, 3).max(dim=0)),
]

GRAPH = [
    ("backward-twice", backward_twice, RE, ["second time", "retain_graph=True", "MulBackward", HERE],
     _torch_backward_twice),
    ("backward-non-scalar", lambda d: (r(d, 3, grad=True) * 2).backward(), RE, ["scalar outputs", S(3)],
     lambda T: (T.randn(3, requires_grad=True) * 2).backward()),
    ("backward-no-grad", lambda d: r(d, 3).sum().backward(), RE, ["does not require grad", "grad_fn"],
     lambda T: T.randn(3).sum().backward()),
    ("backward-grad-shape", lambda d: (r(d, 2, grad=True) * 2).backward(ag.ones(3, device=d)), RE,
     ["shape", S(3), S(2)],
     lambda T: (T.randn(2, requires_grad=True) * 2).backward(T.ones(3))),
    ("grad-input-no-grad", grad_not_required, RE, ["does not require grad"],
     lambda T: T.autograd.grad((T.randn(3, requires_grad=True) * T.randn(3)).sum(), [T.randn(3)])),
    ("grad-unused", grad_unused, RE, ["not have been used", "allow_unused"],
     lambda T: T.autograd.grad((T.randn(3, requires_grad=True) * 2).sum(), [T.randn(3, requires_grad=True)])),
    ("inplace-leaf", inplace_leaf, RE, ["leaf", "requires grad", "in-place"],
     lambda T: T.randn(3, requires_grad=True).add_(1)),
    ("setitem-leaf", setitem_leaf, RE, ["leaf", "requires grad", "in-place"],
     lambda T: T.randn(3, requires_grad=True).__setitem__(0, 1.0)),
    ("inplace-leaf-view", inplace_leaf_view, RE, ["view", "leaf", "in-place"],
     lambda T: T.randn(2, 3, requires_grad=True)[0].mul_(2)),
    ("inplace-saved-input", modified_saved_tensor, RE,
     ["modified by an inplace operation", "MulBackward", HERE],
     _torch_modified_saved),
    ("inplace-saved-output", modified_saved_output, RE,
     ["modified by an inplace operation", "output", "ExpBackward", HERE],
     lambda T: (lambda y: (y.add_(1), y.sum().backward()))(T.randn(3, requires_grad=True).exp())),
    ("numpy-requires-grad", lambda d: r(d, 3, grad=True).numpy(), RE,
     ["numpy()", "requires grad", "detach()"],
     lambda T: T.randn(3, requires_grad=True).numpy()),
    ("item-multi", lambda d: r(d, 2, 3).item(), RE, ["6 elements", "scalar"],
     lambda T: T.randn(2, 3).item()),
    ("bool-multi", lambda d: bool(r(d, 3)), RE, ["3 values", "ambiguous"],
     lambda T: bool(T.randn(3))),
    ("requires-grad-nonleaf", requires_grad_nonleaf, RE, ["leaf", "requires_grad"],
     lambda T: (T.randn(3, requires_grad=True) * 2).requires_grad_(False)),
    ("retain-grad-no-grad", lambda d: r(d, 3).retain_grad(), RE, ["retain_grad", "requires_grad=False"],
     lambda T: T.randn(3).retain_grad()),
    ("hook-no-grad", lambda d: r(d, 3).register_hook(lambda g: g), RE, ["hook", "doesn't require gradient"],
     lambda T: T.randn(3).register_hook(lambda g: g)),
    ("grad-non-scalar", lambda d: ag.grad(r(d, 3, grad=True) * 2, [r(d, 3, grad=True)]), RE,
     ["scalar outputs"],
     lambda T: T.autograd.grad(T.randn(3, requires_grad=True) * 2, [T.randn(3, requires_grad=True)])),
    ("function-grad-count", function_wrong_grad_count, RE, ["_WrongCount", ("2", "two"), ("1", "one")], None),
    ("clip-nonfinite", clip_nonfinite, RE, ["non-finite", "error_if_nonfinite"],
     lambda T: (lambda p: (setattr(p, "grad", T.tensor([NAN, 1.0])),
                           T.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)))(
         T.nn.Parameter(T.zeros(2)))),
]

IO = [
    ("load-missing", load_missing, FileNotFoundError, ["no_such_file.safetensors"], None),
    ("load-text", load_text, VE, ["notes.txt", "safetensors"], None),
    # a set, an object() or a whole Module is saved by pickling, as torch.save; a lambda cannot be
    ("save-lambda", save_obj(lambda: 0), pickle.PicklingError, ["pickle", "lambda"], None),
    ("load-module-weights-only", load_pickled_module, VE, ["weights_only=False", "trust"], None),
]

DATA = [
    ("loader-batch-zero", lambda d: loader(d, batch_size=0), VE, ["batch_size", "positive", "0"],
     lambda T: _torch_loader(T, batch_size=0)),
    ("loader-batch-str", lambda d: loader(d, batch_size="a"), VE, ["batch_size", "positive", "a"],
     lambda T: _torch_loader(T, batch_size="a")),
    ("loader-batch-sampler-conflict", lambda d: loader(d, batch_size=2, batch_sampler=[[0, 1]]), VE,
     ["batch_sampler", "batch_size"],
     lambda T: _torch_loader(T, batch_size=2, batch_sampler=[[0, 1]])),
    ("loader-sampler-shuffle", lambda d: loader(d, sampler=[0, 1], shuffle=True), VE, ["sampler", "shuffle"],
     lambda T: _torch_loader(T, sampler=[0, 1], shuffle=True)),
    # PyTorch: AssertionError (an assert statement); ValueError here
    ("tensor-dataset-sizes", lambda d: TensorDataset(ag.zeros(3, device=d), ag.zeros(4, device=d)), VE,
     ["size mismatch", "3", "4"], None),
    # PyTorch accepts step_size=0 and fails in step() with ZeroDivisionError; ValueError up front here
    ("steplr-step-zero", lambda d: step_lr_step(d, step_size=0), VE, ["step_size", "0"], None),
    ("onecycle-no-steps", lambda d: OneCycleLR(sgd(d), max_lr=0.1), VE,
     ["total_steps", "epochs", "steps_per_epoch"],
     lambda T: T.optim.lr_scheduler.OneCycleLR(_torch_sgd(T), max_lr=0.1)),
    ("onecycle-total-zero", lambda d: OneCycleLR(sgd(d), max_lr=0.1, total_steps=0), VE, ["total_steps", "0"],
     lambda T: T.optim.lr_scheduler.OneCycleLR(_torch_sgd(T), max_lr=0.1, total_steps=0)),
    ("plateau-factor", lambda d: ReduceLROnPlateau(sgd(d), factor=1.5), VE, ["factor", "1.0"],
     lambda T: T.optim.lr_scheduler.ReduceLROnPlateau(_torch_sgd(T), factor=1.5)),
    ("plateau-mode", lambda d: ReduceLROnPlateau(sgd(d), mode="up"), VE, ["mode", "up"],
     lambda T: T.optim.lr_scheduler.ReduceLROnPlateau(_torch_sgd(T), mode="up")),
    ("lambdalr-count", lambda d: LambdaLR(sgd(d), [lambda e: 1.0, lambda e: 0.5]), VE,
     ["2", "1", "lr_lambda"],
     lambda T: T.optim.lr_scheduler.LambdaLR(_torch_sgd(T), [lambda e: 1.0, lambda e: 0.5])),
]

CASES = SHAPES + DTYPES + DEVICES + NEGATIVE + TYPES + HYPER + STATE + INDEX + EMPTY + GRAPH + IO + DATA
IDS = [c[0] for c in CASES]
assert len(set(IDS)) == len(IDS), "duplicate case ids"


@pytest.mark.filterwarnings("ignore:Using a target size")  # mse-shapes warns first, as PyTorch does
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_misuse_raises(case, device, request):
    name, misuse, exc, words = case[:4]
    args = (device,)
    if misuse.__code__.co_argcount == 2:  # the I/O cases also get a temporary directory
        args += (str(request.getfixturevalue("tmp_path")),)
    with pytest.raises(exc) as info:
        misuse(*args)
    message = str(info.value).lower()
    missing = [w for w in words
               if not any(alt.lower() in message for alt in (w if isinstance(w, tuple) else (w,)))]
    assert not missing, f"{name}: message {str(info.value)!r} lacks {missing}"


TWINS = [c for c in CASES if len(c) > 4 and c[4] is not None]


@pytest.mark.parametrize("case", TWINS, ids=[c[0] for c in TWINS])
def test_torch_raises_the_same(case):
    """The table's exception type is PyTorch's for the same misuse."""
    torch = pytest.importorskip("torch")
    name, _, exc, _, twin = case
    with pytest.raises(exc):
        twin(torch)


# ---------------------------------------------------------------- not errors in PyTorch
def test_mean_of_empty_is_nan(device):
    assert math.isnan(ag.zeros(0, device=device).mean().item())
    assert math.isnan(ag.zeros(0, 3, device=device).mean(dim=0).cpu().numpy()[0])


def test_sum_of_empty_is_zero(device):
    assert ag.zeros(0, device=device).sum().item() == 0.0


def test_case_count():
    assert len(CASES) >= 80
