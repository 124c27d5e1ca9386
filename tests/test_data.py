"""ag.utils.data: datasets, samplers, DataLoader (properties and PyTorch parity)."""
from __future__ import annotations

import collections

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset,
                                 RandomSampler, SequentialSampler, Subset, TensorDataset,
                                 default_collate, random_split)


def host(t):
    return t.detach().cpu().numpy()


class Range(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i

    def __len__(self):
        return self.n


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


def flat(batches):
    return [int(v) for b in batches for v in host(b).ravel()]


# ---------------------------------------------------------------- properties
@given(n=st.integers(0, 60), bs=st.integers(1, 17), shuffle=st.booleans(), drop_last=st.booleans(),
       seed=st.integers(0, 2 ** 31))
def test_every_sample_once_per_epoch(n, bs, shuffle, drop_last, seed):
    ag.manual_seed(seed)
    loader = DataLoader(Range(n), batch_size=bs, shuffle=shuffle, drop_last=drop_last)
    batches = list(loader)
    sizes = [b.shape[0] for b in batches]
    full, rest = divmod(n, bs)
    expected = [bs] * full + ([rest] if rest and not drop_last else [])
    assert sizes == expected
    assert len(loader) == len(expected)
    seen = flat(batches)
    assert len(seen) == len(set(seen))  # nothing twice
    if drop_last:
        assert set(seen) <= set(range(n)) and len(seen) == full * bs
    else:
        assert sorted(seen) == list(range(n))  # everything once
    if not shuffle:
        assert seen == list(range(len(seen)))


@given(n=st.integers(1, 50), bs=st.integers(1, 9), seed=st.integers(0, 2 ** 31))
def test_shuffle_reproducible_under_seed(n, bs, seed):
    def two_epochs():
        ag.manual_seed(seed)
        loader = DataLoader(Range(n), batch_size=bs, shuffle=True)
        return flat(loader), flat(loader)

    first = two_epochs()
    assert first == two_epochs()
    assert sorted(first[0]) == sorted(first[1]) == list(range(n))


@given(n=st.integers(2, 40), seed=st.integers(0, 2 ** 31))
def test_generator_argument(n, seed):
    a = flat(DataLoader(Range(n), batch_size=3, shuffle=True, generator=np.random.default_rng(seed)))
    b = flat(DataLoader(Range(n), batch_size=3, shuffle=True, generator=np.random.default_rng(seed)))
    assert a == b and sorted(a) == list(range(n))


def test_shuffle_changes_between_epochs():
    ag.manual_seed(0)
    loader = DataLoader(Range(50), batch_size=50, shuffle=True)
    epochs = [flat(loader) for _ in range(3)]
    assert epochs[0] != epochs[1] != epochs[2]
    assert epochs[0] != list(range(50))


@given(n=st.integers(0, 30), bs=st.integers(1, 8), drop_last=st.booleans())
def test_tensor_dataset_batches(n, bs, drop_last):
    x = ag.arange(n * 3).float().reshape(n, 3)
    y = ag.arange(n)
    batches = list(DataLoader(TensorDataset(x, y), batch_size=bs, drop_last=drop_last))
    rows = [int(v) for _, yb in batches for v in host(yb)]
    assert rows == list(range((n // bs) * bs if drop_last else n))
    for xb, yb in batches:
        assert xb.shape == (yb.shape[0], 3) and xb.dtype == ag.float32 and yb.dtype == ag.int64
        np.testing.assert_array_equal(host(xb)[:, 0], host(yb) * 3)


# ---------------------------------------------------------------- devices and collation
def test_tensor_dataset_on_device(device):
    x = ag.randn(10, 2, device=device)
    y = ag.arange(10, device=device)
    ds = TensorDataset(x, y)
    xi, yi = ds[3]
    assert xi.shape == (2,) and int(yi.item()) == 3
    batches = list(DataLoader(ds, batch_size=4, shuffle=True))
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert all(str(b[0].device) == str(x.device) for b in batches)
    got = np.concatenate([host(b[0]) for b in batches])
    order = np.concatenate([host(b[1]) for b in batches])
    np.testing.assert_array_equal(got, host(x)[order])


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(ag.ones(3, 2), ag.ones(4))
    with pytest.raises(TypeError, match="Tensors"):
        TensorDataset([1, 2, 3])
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(ag.tensor(1.0))


def test_default_collate_like_pytorch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    Point = collections.namedtuple("Point", "x y")
    cases = [
        [1, 2, 3], [1.5, 2.5], [True, False], ["a", "b"],
        [(1, 2.0), (3, 4.0)], [[1, 2], [3, 4]],
        [{"a": 1, "b": (2.0, "s")}, {"a": 3, "b": (4.0, "t")}],
        [Point(1, 2.0), Point(3, 4.0)],
        [np.arange(3, dtype=np.float32), np.ones(3, dtype=np.float32)],
        [np.int64(3), np.int64(4)],
    ]

    def same(ours, theirs):
        if isinstance(theirs, torch.Tensor):
            assert isinstance(ours, ag.Tensor)
            assert str(ours.dtype) == str(theirs.dtype).replace("torch.", ""), (ours.dtype, theirs.dtype)
            np.testing.assert_array_equal(host(ours), theirs.numpy())
        elif isinstance(theirs, dict):
            assert isinstance(ours, dict) and list(ours) == list(theirs)
            for k in theirs:
                same(ours[k], theirs[k])
        elif isinstance(theirs, (list, tuple)):
            assert type(ours) is type(theirs) and len(ours) == len(theirs)
            for a, b in zip(ours, theirs):
                same(a, b)
        else:
            assert ours == theirs

    for batch in cases:
        same(default_collate(batch), torch_collate(batch))
    t = [ag.ones(2, 3), ag.zeros(2, 3)]
    assert default_collate(t).shape == (2, 2, 3)
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate"):
        default_collate([object(), object()])


def test_batch_size_none_disables_batching():
    loader = DataLoader([(1, np.arange(2)), (3, np.arange(2))], batch_size=None)
    items = list(loader)
    assert len(loader) == 2 and len(items) == 2
    assert items[0][0] == 1 and isinstance(items[0][1], ag.Tensor)  # arrays converted, numbers kept
    assert isinstance(items[0], list)


def test_custom_collate_fn_and_dict_samples():
    data = [{"x": ag.ones(2) * i, "label": i} for i in range(5)]
    batch = next(iter(DataLoader(data, batch_size=5)))
    assert batch["x"].shape == (5, 2) and host(batch["label"]).tolist() == list(range(5))
    loader = DataLoader(data, batch_size=2, collate_fn=lambda b: [d["label"] for d in b])
    assert list(loader) == [[0, 1], [2, 3], [4]]


# ---------------------------------------------------------------- arguments
@pytest.mark.parametrize("bs", [0, -1, 1.5, "2", True])
def test_bad_batch_size(bs):
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(Range(4), batch_size=bs)


def test_bad_arguments():
    with pytest.raises(ValueError, match="drop_last"):
        DataLoader(Range(4), drop_last="yes")
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Range(4), shuffle="yes")
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(Range(4), batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(Range(4), sampler=SequentialSampler(Range(4)), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler"):
        DataLoader(Range(4), batch_size=2, batch_sampler=BatchSampler(SequentialSampler(Range(4)), 2, False))
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(Range(4), num_workers=-1)
    with pytest.raises(TypeError, match="collate_fn"):
        DataLoader(Range(4), collate_fn=3)
    with pytest.raises(TypeError, match="unexpected keyword"):
        DataLoader(Range(4), bacth_size=3)
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(SequentialSampler(Range(3)), 0, False)


def test_empty_dataset():
    for shuffle in (False, True):
        loader = DataLoader(Range(0), batch_size=3, shuffle=shuffle)
        assert len(loader) == 0 and list(loader) == []
    assert list(DataLoader(TensorDataset(ag.ones(0, 2)), batch_size=2)) == []


def test_samplers_and_batch_sampler():
    bs = BatchSampler(SequentialSampler(Range(7)), 3, drop_last=False)
    assert list(bs) == [[0, 1, 2], [3, 4, 5], [6]] and len(bs) == 3
    loader = DataLoader(Range(7), batch_sampler=bs)
    assert [host(b).tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    rs = RandomSampler(Range(5), replacement=True, num_samples=12, generator=np.random.default_rng(0))
    draws = list(rs)
    assert len(draws) == 12 == len(rs) and all(0 <= d < 5 for d in draws)
    more = list(RandomSampler(Range(3), num_samples=7, generator=np.random.default_rng(0)))
    assert len(more) == 7 and sorted(more[:3]) == [0, 1, 2]


def test_iterable_dataset():
    loader = DataLoader(Stream(7), batch_size=3)
    assert [host(b).tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [host(b).tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [[0, 1, 2],
                                                                                                [3, 4, 5]]
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]
    with pytest.raises(TypeError):
        len(loader)


def test_concat_subset_random_split():
    ds = Range(3) + Range(4)
    assert isinstance(ds, ConcatDataset) and len(ds) == 7
    assert [ds[i] for i in range(7)] == [0, 1, 2, 0, 1, 2, 3] and ds[-1] == 3
    with pytest.raises(IndexError):
        ds[7]
    sub = Subset(Range(10), [9, 2])
    assert len(sub) == 2 and sub[0] == 9
    ag.manual_seed(0)
    parts = random_split(Range(10), [3, 7])
    got = sorted(p[i] for p in parts for i in range(len(p)))
    assert [len(p) for p in parts] == [3, 7] and got == list(range(10))
    assert [len(p) for p in random_split(Range(10), [0.5, 0.3, 0.2])] == [5, 3, 2]
    assert [len(p) for p in random_split(Range(11), [0.5, 0.5])] == [6, 5]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(Range(10), [3, 3])


# ---------------------------------------------------------------- issue 11 item 6, issue 13
# (batch, expected dtype, expected values): PyTorch 2.13's default_collate on each batch
_COLLATE_CASES = [
    ([1, 2.5], "float32", [1.0, 2.5]),  # first element an int: inferred, like torch.tensor(batch)
    ([2.5, 1], "float64", [2.5, 1.0]),  # first element a float: float64
    ([True, 1], "int64", [1, 1]),
    ([True, 2.5], "float32", [1.0, 2.5]),
    ([True, False], "bool", [True, False]),
    ([1, 2], "int64", [1, 2]),
    ([np.float32(1), np.float64(2)], "float64", [1.0, 2.0]),  # NumPy scalars promote
    ([np.int16(1), np.uint8(2)], "int16", [1, 2]),
    ([np.float64(1.5), 2], "float64", [1.5, 2.0]),
    ([1, np.float32(2.5)], "float32", [1.0, 2.5]),
    ([np.float16(1), np.float16(2)], "float16", [1.0, 2.0]),
]


@pytest.mark.parametrize("batch,dtype,values", _COLLATE_CASES)
def test_default_collate_mixed_numbers(batch, dtype, values):
    out = default_collate(batch)
    assert out.dtype == getattr(ag, dtype)
    assert out.tolist() == values


def test_default_collate_mixed_numbers_match_pytorch():
    torch = pytest.importorskip("torch")
    for batch, _, _ in _COLLATE_CASES:
        ours, theirs = default_collate(batch), torch.utils.data.default_collate(batch)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], batch
        assert ours.tolist() == theirs.tolist()


class _Doubled(TensorDataset):
    """A TensorDataset subclass with a transform in __getitem__."""

    def __getitem__(self, i):
        x, y = super().__getitem__(i)
        return x * 2, y


def test_tensor_dataset_subclass_getitem_is_not_bypassed():
    ds = _Doubled(ag.arange(6).float(), ag.arange(6))
    xs = [x.tolist() for x, _ in DataLoader(ds, batch_size=4)]
    assert xs == [[0.0, 2.0, 4.0, 6.0], [8.0, 10.0]]
    plain = TensorDataset(ag.arange(6).float(), ag.arange(6))  # the exact class keeps its fast path
    assert [x.tolist() for x, _ in DataLoader(plain, batch_size=4)] == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0]]


def test_random_sampler_with_replacement_is_lazy():
    import itertools
    import tracemalloc

    ds = list(range(7))
    sampler = RandomSampler(ds, replacement=True, num_samples=10 ** 10)
    assert len(sampler) == 10 ** 10
    tracemalloc.start()
    try:
        first = list(itertools.islice(iter(sampler), 5000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, peak
    assert len(first) == 5000 and set(first) <= set(ds) and len(set(first)) == 7
    # without replacement, more samples than the dataset: whole permutations, then a partial one
    big = RandomSampler(ds, num_samples=10 ** 12)
    head = list(itertools.islice(iter(big), 14))
    assert sorted(head[:7]) == ds and sorted(head[7:]) == ds
    tail = list(RandomSampler(ds, num_samples=10))
    assert sorted(tail[:7]) == ds and len(tail) == 10 and len(set(tail[7:])) == 3


def test_random_sampler_replacement_reproducible():
    ds = list(range(50))
    a = list(RandomSampler(ds, replacement=True, num_samples=3000, generator=ag.Generator().manual_seed(1)))
    b = list(RandomSampler(ds, replacement=True, num_samples=3000, generator=ag.Generator().manual_seed(1)))
    assert a == b and len(a) == 3000


def test_collate_and_convert_of_numpy_scalars_and_strings_as_pytorch():
    from autograd.utils.data import default_collate, default_convert

    # default_convert left NumPy scalars as NumPy, and both turned string arrays into "tensors"
    out = default_convert([np.float32(1.5), np.int64(2), np.bool_(True)])
    assert [type(v).__name__ for v in out] == ["Tensor"] * 3
    assert [v.dtype for v in out] == [ag.float32, ag.int64, ag.bool] and out[0].shape == ()
    words = np.array(["cat", "dog"])
    assert default_convert(words) is words
    with pytest.raises(TypeError, match="found <U3"):
        default_collate([np.array(["cat"]), np.array(["dog"])])
    assert default_collate([np.str_("a"), np.str_("b")]) == ["a", "b"]


def test_random_split_of_one_sample_and_subset_with_a_list():
    from autograd.utils.data import Subset, TensorDataset, random_split

    ds = TensorDataset(ag.arange(10))
    assert [len(p) for p in random_split(Subset(ds, [3]), [0.5, 0.5])] == [1, 0]  # it raised TypeError
    sub = Subset(ds, [1, 5, 7])
    assert sub[[1, 2]][0].tolist() == [5, 7]  # it raised TypeError
