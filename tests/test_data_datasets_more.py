"""ChainDataset, StackDataset and ConcatDataset's errors, against torch.utils.data."""
from __future__ import annotations

import pytest

import autograd as ag
from autograd.utils import data

torch = pytest.importorskip("torch")
tdata = torch.utils.data


def _stream(lib, n, start=0, sized=True):
    class Stream(lib.IterableDataset):
        def __iter__(self):
            return iter(range(start, start + n))

    if sized:
        Stream.__len__ = lambda self: n
    return Stream()


class Squares:
    """A map-style dataset with a batched ``__getitems__``."""

    def __init__(self, lib, n):
        self.lib, self.n, self.batched = lib, n, 0

    def __getitem__(self, i):
        return i * i

    def __getitems__(self, indices):
        self.batched += 1
        return [i * i for i in indices]

    def __len__(self):
        return self.n


def _outcome(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 -- the exception type and message are compared
        return type(e), str(e)


def _same(fn):
    ours, theirs = _outcome(lambda: fn(data)), _outcome(lambda: fn(tdata))
    assert ours == theirs
    return ours


def test_chain_dataset_as_torch():
    chained = _same(lambda lib: list(lib.ChainDataset([_stream(lib, 3), _stream(lib, 2, 10)])))
    assert chained == [0, 1, 2, 10, 11]
    assert _same(lambda lib: len(lib.ChainDataset([_stream(lib, 3), _stream(lib, 2)]))) == 5
    assert _same(lambda lib: list(_stream(lib, 2) + _stream(lib, 1, 7))) == [0, 1, 7]
    assert isinstance(_stream(data, 2) + _stream(data, 1), data.ChainDataset)
    _same(lambda lib: list(lib.ChainDataset([_stream(lib, 1), [1, 2]])))
    _same(lambda lib: len(lib.ChainDataset([_stream(lib, 1), _stream(lib, 1, sized=False)])))


def test_chain_dataset_in_a_dataloader():
    ds = data.ChainDataset([_stream(data, 3), _stream(data, 3, 3)])
    batches = [b.tolist() for b in data.DataLoader(ds, batch_size=4)]
    assert batches == [[0, 1, 2, 3], [4, 5]]


def test_stack_dataset_tuple_and_dict_as_torch():
    def tuple_form(lib):
        mk = ag if lib is data else torch
        ds = lib.StackDataset(lib.TensorDataset(mk.arange(4)), Squares(lib, 4))
        return len(ds), [(a[0].item(), b) for a, b in (ds[i] for i in range(4))], \
            [(a[0].item(), b) for a, b in ds.__getitems__([3, 1])]

    def dict_form(lib):
        ds = lib.StackDataset(sq=Squares(lib, 3), plain=[10, 20, 30])
        return len(ds), ds[2], ds.__getitems__([0, 2]), ds.datasets["sq"].batched

    assert _same(tuple_form)[1] == [(0, 0), (1, 1), (2, 4), (3, 9)]
    assert _same(dict_form)[2] == [{"sq": 0, "plain": 10}, {"sq": 4, "plain": 30}]
    _same(lambda lib: lib.StackDataset([1, 2], [1]))
    _same(lambda lib: lib.StackDataset())
    _same(lambda lib: lib.StackDataset([1], y=[2]))


def test_stack_dataset_in_a_dataloader():
    ds = data.StackDataset(x=data.TensorDataset(ag.arange(5.0)), y=list(range(5)))
    batch = next(iter(data.DataLoader(ds, batch_size=3)))
    assert batch["x"][0].tolist() == [0.0, 1.0, 2.0] and batch["y"].tolist() == [0, 1, 2]


def test_concat_dataset_errors_as_torch():
    _same(lambda lib: lib.ConcatDataset([[1, 2], _stream(lib, 2)]))
    _same(lambda lib: lib.ConcatDataset([]))
    _same(lambda lib: lib.ConcatDataset([[1, 2], [3]])[-4])
    assert _same(lambda lib: lib.ConcatDataset([[1, 2], [3]])[-1]) == 3
