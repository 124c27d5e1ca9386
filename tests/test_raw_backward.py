"""The engine's raw-backward contract: an op's ``raw_backward`` (arrays, used when
``create_graph=False``) agrees with its ``backward`` (Tensor ops, the differentiable definition),
for every op that defines both."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import backend
from autograd.function import Function
from autograd.ops import (activation, attention, compare, conv, ctc, diagonal, elementwise, extrema, fused,
                          indexing, linalg, linalg_decomp, linalg_more, loss, math_more, movement,
                          numeric_more, pad, pool, reduce, shape, softmax, unary, unary_more, view_ops,
                          window, zero_grad_to)


def _subclasses(cls):
    out = set()
    for sub in cls.__subclasses__():
        out.add(sub)
        out |= _subclasses(sub)
    return out


def _inputs(rng, device, *shapes):
    return [ag.tensor(rng.standard_normal(s), device=device, requires_grad=True) for s in shapes]


# one call per op: (op class, builder of (inputs, outputs to backpropagate from))
def _lstm_cell(rng, device):
    gx, gh, c = _inputs(rng, device, (3, 8), (3, 8), (3, 2))
    return [gx, gh, c], fused.FusedLSTMCell.apply(gx, gh, c)


def _gru_cell(rng, device):
    gx, gh, h = _inputs(rng, device, (3, 6), (3, 6), (3, 2))
    return [gx, gh, h], fused.FusedGRUCell.apply(gx, gh, h)


def _lstm_layer(rng, device, reverse=False):
    gx, w, h0, c0 = _inputs(rng, device, (4, 3, 8), (8, 2), (3, 2), (3, 2))
    return [gx, w, h0, c0], fused.FusedLSTMLayer.apply(gx, None, w, None, h0, c0, reverse)


def _lstm_layer_projected(rng, device, reverse=False):
    x, w_ih, w, b, h0, c0 = _inputs(rng, device, (4, 3, 5), (8, 5), (8, 2), (8,), (3, 2), (3, 2))
    return [x, w_ih, w, b, h0, c0], fused.FusedLSTMLayer.apply(x, w_ih, w, b, h0, c0, reverse)


def _gru_layer(rng, device, reverse=False):
    gx, w, b, h0 = _inputs(rng, device, (4, 3, 6), (6, 2), (6,), (3, 2))
    return [gx, w, b, h0], fused.FusedGRULayer.apply(gx, w, b, h0, reverse)


def _index(rng, device):
    x, = _inputs(rng, device, (4, 5))
    return [x], [indexing.Index.apply(x, (slice(1, 3), None, 2))]


def _index_advanced(rng, device):
    x, = _inputs(rng, device, (4, 5))
    rows = ag.tensor([0, 2, 2, 3], device=device)._data
    return [x], [indexing.IndexAdvanced.apply(x, (rows, slice(None)))]


def _case(fn, *shapes, positive=False):
    """Inputs of ``shapes`` (above 0.5 in size if ``positive``), outputs ``fn(*inputs)`` (one or a tuple)."""
    def build(rng, device):
        ins = _inputs(rng, device, *shapes)
        if positive:
            ins = [ag.tensor(np.abs(t.detach().cpu().numpy()) + 0.5, device=device, requires_grad=True)
                   for t in ins]
        out = fn(*ins)
        return ins, list(out) if isinstance(out, tuple) else [out]
    return build


def _const(like, values):
    return ag.tensor(np.asarray(values, dtype=np.float64), device=like.device)


def _nll(x, weighted):
    # log-probabilities (N, C) or (N, C, d); the scale is 1.0 or per-target weights with one ignored target
    target = ag.tensor(np.arange(x.shape[0] * int(np.prod(x.shape[2:]))).reshape((x.shape[0],) + x.shape[2:])
                       % x.shape[1], device=x.device)
    scale = 1.0
    if weighted:
        w = np.linspace(0.5, 2.0, target.numel()).reshape(target.shape)
        w.flat[1] = 0.0
        scale = _const(x, w)
    return loss.NLLGather.apply(softmax.log_softmax(x, 1), target, scale)


def _nll_sum(x, divisor):
    target = ag.tensor(np.arange(x.shape[0] * int(np.prod(x.shape[2:]))).reshape((x.shape[0],) + x.shape[2:])
                       % x.shape[1], device=x.device)
    return loss.NllLoss.apply(softmax.log_softmax(x, 1), target, divisor)


def _probabilities(rng, device):
    # BCE's input and target, both in (0, 1), both differentiated
    x, y = (ag.tensor(rng.uniform(0.05, 0.95, (3, 4)), device=device, requires_grad=True) for _ in range(2))
    return [x, y], [loss.BinaryCrossEntropy.apply(x, y)]


def _ties(fn):
    def build(rng, device):
        x = ag.tensor(np.round(rng.standard_normal((5, 4))), device=device, requires_grad=True)
        return [x], [fn(x)]
    return build


def _to_cpu(x):
    return movement.ToDevice.apply(x, backend.Device("cpu"))


def _windows(pads):
    kernel, stride, dilation, sizes = (2, 3), (1, 2), (1, 1), (5, 6)
    out = window.out_sizes(sizes, kernel, stride, pads, dilation)
    op = window.Unfold if any(lo or hi for lo, hi in pads) else window.UnfoldView
    unfold = _case(lambda x: op.apply(x, kernel, stride, pads, dilation, out, 0.0), (2,) + sizes)
    fold = _case(lambda c: window.Fold.apply(c, sizes, kernel, stride, pads, dilation), (2,) + out + kernel)
    return unfold, fold


def _max_windows():
    # overlapping, padded windows: WindowMax and its gradient pair WindowScatter/WindowGather
    kernel, stride, pads, dilation, sizes = (3, 3), (1, 2), ((1, 1), (0, 1)), (1, 1), (5, 6)
    geo = (kernel, stride, pads, dilation, window.out_sizes(sizes, kernel, stride, pads, dilation))

    def offsets(x):
        return pool.WindowMax.apply(x.detach(), *geo)[1]
    return [_case(lambda x: pool.WindowMax.apply(x, *geo)[0], (2,) + sizes),
            _case(lambda g: pool.WindowScatter.apply(g, offsets(_const(g, np.ones((2,) + sizes))), sizes,
                                                     *geo), (2,) + geo[-1]),
            _case(lambda x: pool.WindowGather.apply(x, offsets(x), *geo), (2,) + sizes)]


def _nll_scatter(weighted):
    def fn(g):
        target = ag.tensor(np.arange(g.shape[0]) % 3, device=g.device)
        scale = _const(g, np.linspace(0, 1, g.shape[0])) if weighted else 1.0  # weighted: one ignored
        return loss.NLLScatter.apply(g, target, scale, 3)
    return _case(fn, (5,))


def _with_zeros(fn):
    # one zero in the first row, two in the second: the exact zero-safe gradients
    def build(rng, device):
        v = rng.standard_normal((3, 4))
        v[0, 1] = v[1, 0] = v[1, 3] = 0.0
        x = ag.tensor(v, device=device, requires_grad=True)
        return [x], [fn(x)]
    return build


def _rows(device, rows):
    return ag.tensor(np.array(rows), device=device)._data


def _index_put(basic, rows, accumulate, values_shape):
    def build(rng, device):
        x, v = _inputs(rng, device, (4, 5), values_shape)
        adv = None if rows is None else (_rows(device, rows),)
        return [x, v], [indexing.IndexPut.apply(x, v, basic, adv, accumulate)]
    return build


def _index_grad(advanced):
    def build(rng, device):
        if advanced:
            g, = _inputs(rng, device, (4, 5))
            index = (_rows(device, [0, 2, 2, 3]), slice(None))  # a repeated row accumulates
            return [g], [indexing.IndexGrad.apply(g, (4, 5), index, True)]
        g, = _inputs(rng, device, (2, 1))
        return [g], [indexing.IndexGrad.apply(g, (4, 5), (slice(1, 3), None, 2), False)]
    return build


def _binary(op, scalar=False):
    def build(rng, device):
        a, b = _inputs(rng, device, (3, 4), (4,))  # broadcast: the engine sums b's gradient
        return ([a], [op.apply(a, 0.75)]) if scalar else ([a, b], [op.apply(a, b)])
    return build


def _unary(op):
    def build(rng, device):
        x, = _inputs(rng, device, (3, 4))
        return [x], [op.apply(x)]
    return build


def _matmul(ta, tb, batch=()):
    def build(rng, device):
        a, b = _inputs(rng, device, batch + ((4, 3) if ta else (3, 4)), (5, 4) if tb else (4, 5))
        return [a, b], [linalg.Matmul.apply(a, b, ta, tb)]
    return build


def _addmm(batch=()):
    def build(rng, device):
        x, w, b = _inputs(rng, device, batch + (3, 4), (5, 4), (5,))
        return [x, w, b], [linalg.Addmm.apply(x, w, b)]
    return build


def _conv(sizes, kernel, pads, stride=None, groups=1, bias=True):
    # geometry as nn.functional builds it: (sizes, out, kernel, stride, pads, dilation, groups)
    def build(rng, device):
        nd = len(sizes)
        st, dil = stride or (1,) * nd, (1,) * nd
        out = tuple((n + lo + hi - k) // s + 1 for n, k, (lo, hi), s in zip(sizes, kernel, pads, st))
        shapes = [(2, 2 * groups) + sizes, (4, 2) + kernel] + ([(4,)] if bias else [])
        ins = _inputs(rng, device, *shapes)
        geo = (sizes, out, kernel, st, pads, dil, groups)
        return ins, [conv.Conv.apply(*ins, *([] if bias else [None]), geo)]
    return build


def _conv_adjoints(sizes, kernel, pads, stride=None, groups=1):
    # ConvInput (conv_transpose's forward) and ConvWeight, on Conv's geometry
    nd = len(sizes)
    st = stride or (1,) * nd
    out = tuple((n + lo + hi - k) // s + 1 for n, k, (lo, hi), s in zip(sizes, kernel, pads, st))
    geo = (sizes, out, kernel, st, pads, (1,) * nd, groups)
    x_shape, g_shape, w_shape = (2, 2 * groups) + sizes, (2, 4) + out, (4, 2) + kernel
    return (_case(lambda g, w: conv.ConvInput.apply(g, w, geo), g_shape, w_shape),
            _case(lambda x, g: conv.ConvWeight.apply(x, g, geo), x_shape, g_shape))


def _max_values(shape, kernel, stride, ties=False):
    # disjoint windows; with ties every window holds its maximum more than once
    def build(rng, device):
        x, = _inputs(rng, device, shape)
        if ties:
            x = ag.tensor(np.round(rng.standard_normal(shape)), device=device, requires_grad=True)
        out = tuple((n - k) // s + 1 for n, k, s in zip(shape[2:], kernel, stride))
        return [x], [pool.WindowMaxValues.apply(x, kernel, stride, (1,) * len(kernel), out)]
    return build


def _einsum(equation, *shapes):
    return _case(lambda *ops: linalg.einsum(equation, *ops), *shapes)


def _matrices(fn, *shapes, spd=False, negate=False):
    """``fn`` of well-conditioned matrices: square ones ``M + n I`` (``spd``: ``M M^T + n I``), others
    ``M``; ``negate`` flips the sign of the first matrix's first row (a negative determinant)."""
    def build(rng, device):
        ins = []
        for s in shapes:
            m = rng.standard_normal(s)
            if s[-1] == s[-2]:
                m = (m @ np.swapaxes(m, -1, -2) if spd else m) + s[-1] * np.eye(s[-1])
            if negate and not ins:
                m.reshape((-1,) + s[-2:])[0, 0] *= -1
            ins.append(ag.tensor(m, device=device, requires_grad=True))
        return ins, [fn(*ins)]
    return build


def _solve(a_shape, b_shape, tri=None, left=True, unit=False):
    return _matrices(lambda a, b: linalg_decomp.Solve.apply(a, b, tri, left, unit), a_shape, b_shape)


def _dropout_attention(rng, device):
    ag.manual_seed(0)
    return _case(lambda q, k, v: attention.ScaledDotProductAttention.apply(q, k, v, None, False, 0.3, 0.5),
                 (2, 3, 4), (2, 5, 4), (2, 5, 3))(rng, device)


def _ctc(zero_infinity, lengths=((5, 3), (2, 3))):
    def build(rng, device):
        lp = ag.tensor(rng.standard_normal((5, 2, 4)), device=device, requires_grad=True)
        targets = ag.tensor([[1, 1, 2], [3, 2, 0]], dtype=ag.int64, device=device)
        return [lp], [ctc.CTCLoss.apply(lp.log_softmax(-1), targets, *lengths, 0, zero_infinity)]
    return build


def _sampled(rng, device):
    rates, = _inputs(rng, device, (3, 4))
    value = ag.tensor(rng.standard_normal((2, 1)), device=device)
    return [rates], [zero_grad_to.ZeroGradTo.apply(value, rates)]


CASES = {
    zero_grad_to.ZeroGradTo: [_sampled],
    numeric_more.Nextafter: [_case(lambda a, b: numeric_more.Nextafter.apply(a, b), (2, 3), (3,))],
    diagonal.Diagonal: [_case(lambda x: diagonal.Diagonal.apply(x, 1, 0, 2), (3, 2, 4)),
                        _case(lambda x: diagonal.Diagonal.apply(x, -1, 1, 0), (4, 3))],
    diagonal.DiagonalEmbed: [_case(lambda g: diagonal.DiagonalEmbed.apply(g, (3, 2, 4), 1, 0, 2), (2, 3))],
    # the first overlaps
    view_ops.AsStrided: [_case(lambda x: view_ops.AsStrided.apply(x, (3, 2), (2, 1), 1), (3, 3)),
                         _case(lambda x: view_ops.AsStrided.apply(x, (2, 2), (1, 4), 0), (2, 4))],
    ctc.CTCLoss: [_ctc(False), _ctc(True, ((2, 3), (2, 3)))],  # the second: an impossible alignment
    elementwise.Add: [_binary(elementwise.Add), _binary(elementwise.Add, True)],
    elementwise.Sub: [_binary(elementwise.Sub), _binary(elementwise.Sub, True)],
    elementwise.Mul: [_binary(elementwise.Mul), _binary(elementwise.Mul, True)],
    unary.Exp: [_unary(unary.Exp)],
    unary.Tanh: [_unary(unary.Tanh)],
    unary.Sigmoid: [_unary(unary.Sigmoid)],
    linalg.Matmul: [_matmul(False, False), _matmul(True, False), _matmul(False, True), _matmul(True, True),
                    _matmul(False, False, (2,)), _matmul(True, False, (2,)), _matmul(False, True, (2, 2))],
    linalg.Addmm: [_addmm(), _addmm((2,))],
    indexing.Index: [_index],
    indexing.IndexAdvanced: [_index_advanced],
    fused.FusedLSTMCell: [_lstm_cell],
    fused.FusedGRUCell: [_gru_cell],
    fused.FusedLSTMLayer: [_lstm_layer, lambda r, d: _lstm_layer(r, d, True), _lstm_layer_projected,
                           lambda r, d: _lstm_layer_projected(r, d, True)],
    fused.FusedGRULayer: [_gru_layer, lambda r, d: _gru_layer(r, d, True)],
    # wide stride-1 layout (padded, extra columns), strided, grouped without bias, 1-D
    conv.Conv: [_conv((6, 5), (3, 2), ((1, 1), (2, 0))), _conv((7, 7), (3, 3), ((0, 0), (1, 1)), (2, 3)),
                _conv((5, 6), (2, 3), ((0, 0), (0, 0)), groups=2, bias=False), _conv((9,), (4,), ((1, 2),))],
    unary.Log: [_case(unary.Log.apply, (3, 4), positive=True)],
    unary.Log1p: [_case(unary.Log1p.apply, (3, 4), positive=True)],
    unary.Expm1: [_unary(unary.Expm1)],
    unary.Sqrt: [_case(unary.Sqrt.apply, (3, 4), positive=True)],
    unary.Rsqrt: [_case(unary.Rsqrt.apply, (3, 4), positive=True)],
    unary.Sin: [_unary(unary.Sin)],
    unary.Cos: [_unary(unary.Cos)],
    unary.Relu: [_unary(unary.Relu)],
    unary.Abs: [_unary(unary.Abs)],
    unary.Erf: [_unary(unary.Erf)],
    unary.Reciprocal: [_case(unary.Reciprocal.apply, (3, 4), positive=True)],
    elementwise.Div: [_binary(elementwise.Div), _binary(elementwise.Div, True),
                      _case(lambda b: elementwise.Div.apply(2.0, b), (3, 4), positive=True),
                      _case(lambda b: elementwise.Div.apply(_const(b, np.ones((3, 4))), b), (4,),
                            positive=True)],
    # floor_divide's gradient is a constant zero: a product of the inputs makes the Tensor path record
    elementwise.FloorDivide: [_case(lambda a, b: (elementwise.FloorDivide.apply(a, b), a * b), (3, 4), (4,))],
    elementwise.TruncDivide: [_case(lambda a, b: (elementwise.TruncDivide.apply(a, b), a * b), (3, 4), (4,))],
    elementwise.Remainder: [_case(elementwise.Remainder.apply, (3, 4), (4,), positive=True),
                            _case(lambda a: elementwise.Remainder.apply(a, 0.75), (3, 4))],
    elementwise.Neg: [_unary(elementwise.Neg)],
    elementwise.PowScalar: [_case(lambda x, p=p: elementwise.PowScalar.apply(x, p), (3, 4), positive=True)
                            for p in (0, 1, 2, 3, 0.5, -1.5)],
    elementwise.Pow: [_case(elementwise.Pow.apply, (3, 4), (4,), positive=True),
                      _case(lambda b: elementwise.Pow.apply(2.0, b), (3, 4)),
                      _case(lambda b: elementwise.Pow.apply(_const(b, np.ones(4)), b), (3, 4)),
                      _case(lambda a: elementwise.Pow.apply(a, _const(a, [2.0, 0.0, 1.5])), (4, 3),
                            positive=True)],
    elementwise.Clone: [_unary(elementwise.Clone)],
    reduce.Sum: [_case(lambda x: reduce.Sum.apply(x, None, False), (3, 4)),
                 _case(lambda x: reduce.Sum.apply(x, (0, 2), False), (3, 4, 2)),
                 _case(lambda x: reduce.Sum.apply(x, (1,), True), (3, 4))],
    reduce.Mean: [_case(lambda x: reduce.Mean.apply(x, None, False), (3, 4)),
                  _case(lambda x: reduce.Mean.apply(x, (0, 2), False), (3, 4, 2)),
                  _case(lambda x: reduce.Mean.apply(x, (1,), True), (3, 4)),
                  _case(lambda x: reduce.Mean.apply(x, None, False), ())],
    reduce.Var: [_case(lambda x: reduce.Var.apply(x, (1,), 1, False), (3, 4)),
                 _case(lambda x: reduce.Var.apply(x, None, 0, True), (3, 4))],
    reduce.Std: [_case(lambda x: reduce.Std.apply(x, (1,), 1, False), (3, 4)),
                 _case(lambda x: reduce.Std.apply(x, None, 0, True), (3, 4))],
    softmax.LogSumExp: [_case(lambda x: softmax.LogSumExp.apply(x, (1,), False), (3, 4)),
                        _case(lambda x: softmax.LogSumExp.apply(x, None, True), (3, 4))],
    softmax.Softmax: [_case(lambda x: softmax.Softmax.apply(x, 1), (3, 4)),
                      _case(lambda x: softmax.Softmax.apply(x, 0), (3, 4, 2))],
    softmax.LogSoftmax: [_case(lambda x: softmax.LogSoftmax.apply(x, 1), (3, 4)),
                         _case(lambda x: softmax.LogSoftmax.apply(x, 0), (3, 4, 2))],
    loss.NllLoss: [_case(lambda x: _nll_sum(x, 20), (5, 4)), _case(lambda x: _nll_sum(x, 1), (3, 4, 2))],
    loss.NLLGather: [_case(lambda x: _nll(x, False), (5, 4)), _case(lambda x: _nll(x, True), (5, 4)),
                     _case(lambda x: _nll(x, False), (3, 4, 2)), _case(lambda x: _nll(x, True), (3, 4, 2))],
    shape.Reshape: [_case(lambda x: shape.Reshape.apply(x, (2, 6)), (3, 4))],
    shape.Expand: [_case(lambda x: shape.Expand.apply(x, (2, 3, 4)), (3, 1))],
    shape.Permute: [_case(lambda x: shape.Permute.apply(x, (2, 0, 1)), (2, 3, 4)),
                    _case(lambda x: shape.Permute.apply(x, (1, 0)), (3, 4))],
    shape.Flip: [_case(lambda x: shape.Flip.apply(x, (0, 2)), (2, 3, 4))],
    shape.Repeat: [_case(lambda x: shape.Repeat.apply(x, (2, 1, 3)), (3, 1)),
                   _case(lambda x: shape.Repeat.apply(x, (2, 2)), (3, 4))],
    shape.Roll: [_case(lambda x: shape.Roll.apply(x, (1, -2), (0, 1)), (3, 4)),
                 _case(lambda x: shape.Roll.apply(x, (), ()), ())],
    shape.Cat: [_case(lambda a, b: shape.Cat.apply(1, a, b), (3, 2), (3, 4))],
    shape.Split: [_case(lambda x: shape.Split.apply(x, (1, 3), 1), (3, 4)),
                  _case(lambda x: shape.Split.apply(x, (1, 3), 1)[1], (3, 4))],  # one piece unused
    compare.Clamp: [_case(lambda x: compare.Clamp.apply(x, -0.5, 0.5), (3, 4)),
                    _case(lambda x: compare.Clamp.apply(x, None, 0.25), (3, 4)),
                    _case(lambda x: compare.Clamp.apply(x, -0.25, None), (3, 4))],
    compare.Maximum: [_binary(compare.Maximum),
                      _case(lambda a: compare.Maximum.apply(a, a.detach()), (3, 4))],  # ties
    compare.Minimum: [_binary(compare.Minimum),
                      _case(lambda a: compare.Minimum.apply(a, a.detach()), (3, 4))],
    compare.Where: [_case(lambda a, b: compare.Where.apply(a > 0, a, b), (3, 4), (4,)),
                    _case(lambda a: compare.Where.apply(a > 0, a, 0.0), (3, 4))],
    activation.LeakyRelu: [_case(lambda x: activation.LeakyRelu.apply(x, 0.1), (3, 4))],
    activation.Elu: [_case(lambda x: activation.Elu.apply(x, 1.3), (3, 4))],
    activation.Gelu: [_case(lambda x: activation.Gelu.apply(x, "none"), (3, 4)),
                      _case(lambda x: activation.Gelu.apply(x, "tanh"), (3, 4))],
    activation.Hardtanh: [_case(lambda x: activation.Hardtanh.apply(x, -0.5, 0.5), (3, 4))],
    activation.Silu: [_unary(activation.Silu)],
    activation.Softplus: [_case(lambda x: activation.Softplus.apply(x, 1, 20.0), (3, 4)),
                          _case(lambda x: activation.Softplus.apply(x, 2.0, 1.0), (3, 4))],
    attention.ScaledDotProductAttention: [
        _case(lambda q, k, v: attention.ScaledDotProductAttention.apply(q, k, v, None, False, 0.0, 0.5),
              (2, 3, 4), (2, 5, 4), (2, 5, 3)),
        _case(lambda q, k, v, m: attention.ScaledDotProductAttention.apply(q, k, v, m, False, 0.0, 0.5),
              (2, 3, 4), (2, 5, 4), (2, 5, 3), (3, 5)),  # a float mask gets a gradient
        _case(lambda q, k, v: attention.ScaledDotProductAttention.apply(q, k, v, None, True, 0.0, 0.5),
              (3, 4), (3, 4), (3, 2)),
        _case(lambda q, v: attention.ScaledDotProductAttention.apply(q, q.detach(), v, None, False, 0.0, 0.5),
              (3, 4), (3, 2)),  # key needs no gradient
        _dropout_attention],
    movement.Cast: [_case(lambda x: movement.Cast.apply(x, ag.float32), (3, 4))],
    movement.ToDevice: [_case(lambda x: movement.ToDevice.apply(_to_cpu(x), x.device), (3, 4))],  # and back
    pad.ConstantPad: [_case(lambda x: pad.ConstantPad.apply(x, ((1, -1), (0, 2)), 0.5), (3, 4))],
    window.Unfold: [_windows(((1, 0), (0, 1)))[0]],
    window.UnfoldView: [_windows(((0, 0), (0, 0)))[0]],
    window.Fold: [_windows(((1, 0), (0, 1)))[1], _windows(((0, 0), (0, 0)))[1]],
    extrema.Extreme: [_case(lambda x: extrema.Extreme.apply(x, (1,), False, True, False), (3, 4)),
                      _case(lambda x: extrema.Extreme.apply(x, None, False, False, True), (3, 4)),
                      _ties(lambda x: extrema.Extreme.apply(x, (0,), True, True, False)),
                      _ties(lambda x: extrema.Extreme.apply(x, None, False, True, True))],
    extrema.ExtremeDim: [_case(lambda x: extrema.ExtremeDim.apply(x, 1, False, True)[0], (3, 4)),
                         _case(lambda x: extrema.ExtremeDim.apply(x, 0, True, False)[0], (3, 4))],
    reduce.Norm: [_case(lambda x, p=p: reduce.Norm.apply(x, p, (1,), False), (3, 4))
                  for p in (2, 1, float("inf"), -float("inf"), 3, 0.5)],  # p = 0: no gradient, as PyTorch
    loss.BinaryCrossEntropy: [_probabilities],
    loss.BCEWithLogits: [_case(lambda x, y: loss.BCEWithLogits.apply(x, y, None), (3, 4), (3, 4)),
                         _case(lambda x, y, w: loss.BCEWithLogits.apply(x, y, w), (3, 4), (3, 4), (4,))],
    pool.WindowMax: [_max_windows()[0]],
    pool.WindowScatter: [_max_windows()[1]],
    pool.WindowGather: [_max_windows()[2]],
    unary.TanhGrad: [_case(unary.TanhGrad.apply, (3, 4), (3, 4))],
    unary.SigmoidGrad: [_case(unary.SigmoidGrad.apply, (3, 4), (3, 4))],
    unary.ReluGrad: [_case(lambda g: unary.ReluGrad.apply(g, _const(g, np.arange(12.0).reshape(3, 4) - 5)),
                           (3, 4))],
    unary.Sign: [_unary(unary.Sign)],
    loss.NLLScatter: [_nll_scatter(False), _nll_scatter(True)],
    unary_more._Rounding: [_unary(unary_more.Floor)],  # the base of Floor, Ceil, Trunc
    unary_more.Floor: [_unary(unary_more.Floor)],
    math_more.Hypot: [_binary(math_more.Hypot)],
    unary_more.Ceil: [_unary(unary_more.Ceil)],
    unary_more.Trunc: [_unary(unary_more.Trunc)],
    unary_more.Round: [_case(lambda x: unary_more.Round.apply(x, 1), (3, 4))],
    unary_more.Log2: [_case(unary_more.Log2.apply, (3, 4), positive=True)],
    unary_more.Log10: [_case(unary_more.Log10.apply, (3, 4), positive=True)],
    unary_more.Exp2: [_unary(unary_more.Exp2)],
    unary_more.Erfinv: [_case(lambda x: unary_more.Erfinv.apply(unary.Tanh.apply(x)), (3, 4))],  # in (-1, 1)
    unary_more.Tan: [_unary(unary_more.Tan)],
    unary_more.Sinh: [_unary(unary_more.Sinh)],
    unary_more.Cosh: [_unary(unary_more.Cosh)],
    unary_more.Asin: [_case(lambda x: unary_more.Asin.apply(unary.Tanh.apply(x)), (3, 4))],
    unary_more.Acos: [_case(lambda x: unary_more.Acos.apply(unary.Tanh.apply(x)), (3, 4))],
    unary_more.Atan: [_unary(unary_more.Atan)],
    unary_more.Fmod: [_binary(unary_more.Fmod), _binary(unary_more.Fmod, True)],
    unary_more.Atan2: [_binary(unary_more.Atan2)],
    reduce.Cumsum: [_case(lambda x: reduce.Cumsum.apply(x, 1, False), (3, 4)),
                    _case(lambda x: reduce.Cumsum.apply(x, 0, True), (3, 4))],
    reduce.Prod: [_case(lambda x: reduce.Prod.apply(x, (1,), False), (3, 4)),
                  _case(lambda x: reduce.Prod.apply(x, None, True), (3, 4)),
                  _with_zeros(lambda x: reduce.Prod.apply(x, (1,), False))],
    indexing.IndexGrad: [_index_grad(False), _index_grad(True)],
    indexing.IndexPut: [_index_put((slice(1, 3),), None, False, (2, 5)),
                        _index_put((slice(1, 3),), None, True, (5,)),  # values broadcast
                        _index_put(None, [0, 2, 3], False, (3, 5)), _index_put(None, [0, 2, 2], True, (3, 5)),
                        _index_put((slice(1, 4),), [0, 2], False, (2, 5))],
    conv.ConvInput: [_conv_adjoints((6, 5), (3, 2), ((1, 1), (2, 0)))[0],
                     _conv_adjoints((7, 7), (3, 3), ((0, 0), (1, 1)), (2, 3))[0],
                     _conv_adjoints((5, 6), (2, 3), ((0, 0), (0, 0)), groups=2)[0]],
    conv.ConvWeight: [_conv_adjoints((6, 5), (3, 2), ((1, 1), (2, 0)))[1],
                      _conv_adjoints((7, 7), (3, 3), ((0, 0), (1, 1)), (2, 3))[1],
                      _conv_adjoints((9,), (4,), ((1, 2),))[1]],
    linalg_more.Cumprod: [_case(lambda x: linalg_more.Cumprod.apply(x, 1), (3, 4)),
                          _with_zeros(lambda x: linalg_more.Cumprod.apply(x, 1))],
    # contraction, batched product, diagonal, trace, a label only one operand has, outer, implicit output,
    # repeated label beside another operand, ellipsis
    linalg.Einsum: [_einsum("ij,jk->ik", (3, 4), (4, 5)), _einsum("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
                    _einsum("ii->i", (4, 4)), _einsum("ii", (4, 4)), _einsum("ij->i", (3, 4)),
                    _einsum("i,j->ij", (3,), (4,)), _einsum("ij,jk", (3, 4), (4, 5)),
                    _einsum("iij,j->i", (3, 3, 4), (4,)), _einsum("...ij,jk->...ki", (2, 3, 4), (4, 5))],
    # + 1: the masked entries' incoming gradients are not zero
    linalg_decomp._Tri: [_case(lambda x, u=u, k=k: linalg_decomp._Tri.apply(x, u, k) + 1.0, (2, 4, 5))
                         for u, k in ((True, 0), (False, 0), (True, 1), (False, -2))],
    linalg_decomp.Cholesky: [_matrices(linalg_decomp.Cholesky.apply, (4, 4), spd=True),
                             _matrices(linalg_decomp.Cholesky.apply, (2, 3, 3), spd=True)],
    # general left / right, batched, a batch of B against one A; triangular upper / lower, unit diagonal
    linalg_decomp.Solve: [_solve((3, 3), (3, 2)), _solve((3, 3), (2, 3), left=False),
                          _solve((2, 3, 3), (2, 3, 2)), _solve((3, 3), (2, 3, 2)),
                          _solve((3, 3), (3, 2), "upper"), _solve((3, 3), (2, 3), "lower", left=False),
                          _solve((2, 3, 3), (2, 3, 2), "lower", unit=True),
                          _solve((3, 3), (2, 3), "upper", left=False, unit=True)],
    linalg_decomp.Det: [_matrices(linalg_decomp.Det.apply, (3, 3), negate=True),
                        _matrices(linalg_decomp.Det.apply, (2, 3, 3), negate=True)],
    linalg_decomp.Slogdet: [_matrices(linalg_decomp.Slogdet.apply, (3, 3), negate=True),
                            _matrices(linalg_decomp.Slogdet.apply, (2, 3, 3), negate=True)],
    pool.WindowMaxValues: [_max_values((2, 3, 6, 7), (2, 2), (2, 2)),
                           _max_values((2, 2, 5, 9), (2, 3), (3, 3), True),
                           _max_values((2, 3, 8), (3,), (4,), True)],
}


def test_every_op_with_a_raw_backward_has_a_case():
    with_raw = {c for c in _subclasses(Function) if c.raw_backward is not None}
    assert with_raw, "no op defines raw_backward"
    assert with_raw <= set(CASES), f"add a case for {sorted(c.__name__ for c in with_raw - set(CASES))}"


@pytest.mark.parametrize("op", list(CASES), ids=lambda c: c.__name__)
def test_raw_backward_agrees_with_tensor_backward(op, device):
    for build in CASES[op]:
        rng = np.random.default_rng(0)
        inputs, outputs = build(rng, device)
        seeds = [ag.tensor(rng.standard_normal(tuple(o.shape)), device=device) for o in outputs]
        # o * o: the incoming gradients depend on the inputs, so the Tensor backward records a graph
        loss = sum(((o * o * s).sum() for o, s in zip(outputs, seeds)), ag.tensor(0.0, device=device))
        raw = ag.grad(loss, inputs, retain_graph=True)  # create_graph=False: raw_backward
        graph = ag.grad(loss, inputs, create_graph=True)  # the Tensor backward
        if any(np.any(r.cpu().numpy()) for r in raw):  # (a zero gradient is zeros, with no graph)
            assert any(g.grad_fn is not None for g in graph)  # the Tensor path really ran
        for r, g in zip(raw, graph):
            assert r.dtype == g.dtype and tuple(r.shape) == tuple(g.shape)
            np.testing.assert_allclose(r.cpu().numpy(), g.detach().cpu().numpy(), rtol=1e-10, atol=1e-12)


def test_engine_calls_raw_backward_only_without_create_graph():
    calls = []

    class Twice(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            calls.append("tensor")
            return g * 2

        @staticmethod
        def raw_backward(ctx, g):
            calls.append("raw")
            return g * 2

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (gx,) = ag.grad(Twice.apply(x).sum(), [x])
    assert calls == ["raw"] and gx.tolist() == [2.0, 2.0]
    (gx,) = ag.grad(Twice.apply(x).sum(), [x], create_graph=True)
    assert calls == ["raw", "tensor"] and gx.tolist() == [2.0, 2.0]


def test_scatter_add_along_an_axis_equals_add_at_bit_for_bit():
    """The backend's strided-add path for index_select's index (full slices, one short vector of
    positions, repeats included) gives np.add.at's sums exactly; other indices fall back to it."""
    from autograd.arraylib.registry import _scatter_along_axis

    rng = np.random.default_rng(0)
    for dims, d in [((64, 3, 8, 16), 2), ((64, 3, 8, 8), 3), ((20, 300), 0), ((300, 40), 1)]:
        positions = rng.integers(0, dims[d], 12)
        positions[1] = positions[0]  # a repeat accumulates
        vshape = dims[:d] + (len(positions),) + dims[d + 1:]
        values = rng.standard_normal(vshape).astype(np.float32)
        values.reshape(-1)[:3] = [np.inf, -0.0, np.nan]
        index = (slice(None),) * d + (positions,)
        start = rng.standard_normal(dims).astype(np.float32)
        expected, got = start.copy(), start.copy()
        np.add.at(expected, index, values)
        assert _scatter_along_axis(got, index, values)
        np.testing.assert_array_equal(got.view(np.int32), expected.view(np.int32))
    small = np.zeros((10, 5), np.float32)
    assert not _scatter_along_axis(small, (slice(None), np.array([0, 4, 4])), np.ones((10, 3), np.float32))
    assert not _scatter_along_axis(small, (np.array([0, 1]),), np.ones((2, 5), np.float32))  # too small
    assert not _scatter_along_axis(small, (np.array([0]), np.array([1])), np.ones(1, np.float32))
