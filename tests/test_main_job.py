"""The main job (examples/train_digits.py): a short run beats logistic regression on the same split
(averaged over three seeds) and the saved model loads back with the same predictions."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("sklearn", reason="the main job trains on scikit-learn's bundled digits")
pytest.importorskip("tqdm", reason="the main job shows progress with tqdm")
pytest.importorskip("safetensors", reason="the main job saves with ag.save (safetensors)")

import autograd as ag  # noqa: E402
from examples import train_digits  # noqa: E402


def _logistic_regression_accuracy(seed):
    """scikit-learn's logistic regression on the pixels of the same split: the honest baseline."""
    from sklearn.linear_model import LogisticRegression

    x_tr, y_tr, x_te, y_te = train_digits.load_digits("cpu", seed=seed)
    flat = lambda x: x.numpy().reshape(len(x), -1)
    clf = LogisticRegression(max_iter=5000).fit(flat(x_tr), y_tr.numpy())
    return clf.score(flat(x_te), y_te.numpy())


def test_short_run_beats_logistic_regression_and_saved_model_loads(tmp_path, capsys):
    out = tmp_path / "lenet.safetensors"
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    with threadpool_limits(1):  # small matrices: one BLAS thread is fastest, and xdist runs 2 workers
        accs = [train_digits.train(epochs=20, seed=s, out=str(out) if s == 0 else "", progress=False)
                for s in (1, 2, 0)]
    acc = accs[-1]
    baseline = sum(_logistic_regression_accuracy(s) for s in (1, 2, 0)) / 3
    mean = sum(accs) / 3
    assert mean > baseline, f"LeNet {mean:.4f} vs logistic regression {baseline:.4f} (mean of 3 seeds)"
    assert min(accs) >= 0.95, accs
    printed = capsys.readouterr().out
    assert f"test accuracy: {acc:.4f}" in printed
    assert "epoch" not in printed.split("test accuracy")[0]  # progress=False prints no per-epoch lines

    state = ag.load(str(out))
    model = train_digits.LeNet()
    assert set(state) == set(model.state_dict())
    model.load_state_dict(state)
    _, _, x_te, y_te = train_digits.load_digits("cpu", seed=0)
    assert train_digits.accuracy(model, x_te, y_te) == acc
    # the loaded weights are the trained ones, not a fresh initialisation
    assert train_digits.accuracy(train_digits.LeNet(), x_te, y_te) < 0.5


def test_command_line_one_epoch(tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    train_digits.main(["--epochs", "1", "--out", str(out), "--seed", "1"])
    printed = capsys.readouterr().out
    m = re.search(r"test accuracy: ([0-9.]+) \(360 images", printed)
    assert m, printed
    assert 0.5 < float(m.group(1)) <= 1.0  # one epoch already learns most digits
    assert "epoch  1:" in printed and f"saved the model to {out}" in printed
    assert out.stat().st_size > 0
