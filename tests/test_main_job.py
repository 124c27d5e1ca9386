"""The main job (examples/train_digits.py): a short run reaches 95% test accuracy and the saved
model loads back with the same predictions."""
from __future__ import annotations

import re
import time

import pytest

pytest.importorskip("sklearn", reason="the main job trains on scikit-learn's bundled digits")
pytest.importorskip("tqdm", reason="the main job shows progress with tqdm")
pytest.importorskip("safetensors", reason="the main job saves with ag.save (safetensors)")

import autograd as ag  # noqa: E402
from examples import train_digits  # noqa: E402


def test_short_run_reaches_95_percent_and_saved_model_loads(tmp_path, capsys):
    out = tmp_path / "lenet.safetensors"
    start = time.perf_counter()
    acc = train_digits.train(epochs=10, seed=0, out=str(out), progress=False)
    elapsed = time.perf_counter() - start
    assert acc >= 0.95, f"test accuracy {acc:.4f} after 10 epochs (expected >= 0.95)"
    assert elapsed < 120, f"10 epochs took {elapsed:.0f} s"
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
