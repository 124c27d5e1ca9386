"""The main job: train a LeNet-style CNN on scikit-learn's bundled 8x8 digits.

Run ``python -m examples.train_digits`` (options: ``--epochs``, ``--device``,
``--seed``, ``--out``). The data set ships inside scikit-learn: nothing is
downloaded. Prints the final test accuracy and saves the model with ``ag.save``.
"""
from __future__ import annotations

import argparse
import time

import autograd as ag
import nn
import nn.functional as F
import optim
from autograd.utils.data import DataLoader, TensorDataset


class LeNet(nn.Module):
    """LeNet-5's shape scaled to 8x8 inputs: two conv/pool stages and three linear layers."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Linear(64, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def load_digits(device, seed):
    """The digits as (N, 1, 8, 8) float32 tensors in [0, 1], split 80/20 with a fixed seed."""
    from sklearn.datasets import load_digits as sk_load_digits
    from sklearn.model_selection import train_test_split

    digits = sk_load_digits()
    x = (digits.images / 16.0).astype("float32")[:, None]
    x_tr, x_te, y_tr, y_te = train_test_split(x, digits.target, test_size=0.2, random_state=seed,
                                              stratify=digits.target)
    def to(a, dtype=None):
        return ag.tensor(a, dtype=dtype, device=device)

    return to(x_tr), to(y_tr, ag.int64), to(x_te), to(y_te, ag.int64)


def accuracy(model, x, y, batch_size=512):
    model.eval()
    correct = 0
    with ag.no_grad():
        for i in range(0, len(x), batch_size):
            correct += int((model(x[i:i + batch_size]).argmax(1) == y[i:i + batch_size]).sum().item())
    model.train()
    return correct / len(x)


def train(epochs=15, device="cpu", seed=0, batch_size=32, lr=1e-2, out="lenet_digits.safetensors",
          progress=True):
    """Train, report, save; returns the test accuracy."""
    from tqdm import tqdm

    ag.manual_seed(seed)
    x_tr, y_tr, x_te, y_te = load_digits(device, seed)
    model = LeNet().to(device)
    opt = optim.Adam(model.parameters(), lr=lr)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=batch_size, shuffle=True)
    start = time.perf_counter()
    for epoch in range(epochs):
        bar = tqdm(loader, desc=f"epoch {epoch + 1}/{epochs}", disable=not progress, leave=False)
        seen = correct = 0
        total_loss = 0.0
        for xb, yb in bar:
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            seen += len(yb)
            total_loss += loss.item() * len(yb)
            correct += int((logits.argmax(1) == yb).sum().item())
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}")
        sched.step()
        if progress:
            print(f"epoch {epoch + 1:2d}: loss {total_loss / seen:.4f}  train acc {correct / seen:.3f}")
    acc = accuracy(model, x_te, y_te)
    elapsed = time.perf_counter() - start
    print(f"test accuracy: {acc:.4f} ({len(x_te)} images, {elapsed:.1f} s on {device})")
    if out:
        ag.save(model.state_dict(), out)
        restored = LeNet().to(device)
        restored.load_state_dict(ag.load(out, map_location=device))
        assert accuracy(restored, x_te, y_te) == acc
        print(f"saved the model to {out}")
    return acc


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--device", default="cpu", help='"cpu" or "cuda[:N]"')
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--out", default="lenet_digits.safetensors", help="where to save the model ('' to skip)")
    args = p.parse_args(argv)
    train(args.epochs, args.device, args.seed, args.batch_size, args.lr, args.out)


if __name__ == "__main__":
    main()
