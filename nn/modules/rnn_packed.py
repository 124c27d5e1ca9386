"""``RNN``/``LSTM``/``GRU`` over a :class:`~nn.utils.rnn.PackedSequence`.

The sequences are grouped by length (longest first, as packed); each group
runs through the layer's usual functional form (the fused LSTM/GRU layers) on
exactly its own steps, so no padded step ever touches a state. The groups'
outputs are gathered back into packed order with one ``index_select`` and the
final states into the original batch order, so outputs, ``h_n`` (and ``c_n``)
and their gradients are PyTorch's. The cost is one functional call per
distinct length.
"""
from __future__ import annotations

import autograd as ag

from ..utils.rnn import PackedSequence, _packed_positions, pad_packed_sequence


def _sorted_lengths(batch_sizes):
    return [sum(1 for n in batch_sizes if n > b) for b in range(batch_sizes[0])]


def packed_forward(module, run, packed, hx):
    """``(PackedSequence output, states)`` of ``module`` over ``packed``.

    ``run(x, hx)`` runs the module's functional form on a time-major batch ``x`` and states ``hx``
    (a tensor, or ``(h, c)`` for LSTM, batch in dim 1) and returns ``(output, *states)``.
    """
    lstm = module.mode == "LSTM"
    sizes = [int(v) for v in packed.batch_sizes.tolist()]
    batch = sizes[0]
    padded, _ = pad_packed_sequence(PackedSequence(packed.data, packed.batch_sizes, None, None))
    states = hx if lstm else (hx,)
    if packed.sorted_indices is not None:  # hx comes in the caller's order; the groups run sorted
        states = tuple(h.index_select(1, packed.sorted_indices) for h in states)
    lengths = _sorted_lengths(sizes)
    outs, finals, offsets, start = [], [], {}, 0
    while start < batch:
        stop = start
        while stop < batch and lengths[stop] == lengths[start]:
            stop += 1
        n = lengths[start]
        group = [h[:, start:stop] for h in states]
        result = run(padded[:n, start:stop], tuple(group) if lstm else group[0])
        offsets[start] = (sum(o.shape[0] * o.shape[1] for o in outs), stop - start)
        outs.append(result[0])
        finals.append(result[1:])
        start = stop
    # packed row (t, b) is row t * width + (b - start) of its group's flattened output
    flat = ag.cat([o.reshape(o.shape[0] * o.shape[1], o.shape[2]) for o in outs])
    group_of = {}
    for first, (offset, width) in offsets.items():
        for b in range(first, first + width):
            group_of[b] = (offset, width, first)
    rows = []
    for pos in _packed_positions(sizes, batch):
        t, b = divmod(pos, batch)
        offset, width, first = group_of[b]
        rows.append(offset + t * width + (b - first))
    data = flat.index_select(0, ag.tensor(rows, dtype=ag.int64, device=flat.device))
    final = tuple(ag.cat([f[k] for f in finals], 1) for k in range(len(finals[0])))
    if packed.unsorted_indices is not None:
        final = tuple(h.index_select(1, packed.unsorted_indices) for h in final)
    output = PackedSequence(data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)
    return output, (final if lstm else final[0])
