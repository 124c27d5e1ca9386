"""Which PyTorch API names resolve in xpgrad.

Reads names such as ``torch.nn.functional.gelu`` or ``Tensor.topk`` (one per line, ``#`` comments;
default: ``scripts/api_names.txt``), maps ``torch`` to ``autograd`` (whose ``nn``/``optim`` are the
top-level packages) and ``Tensor.`` to ``autograd.Tensor``, and reports the share that resolves
and the names that do not.

    python scripts/api_breadth.py [names.txt] [--quiet]
"""
from __future__ import annotations

import importlib
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_names(path):
    with open(path, encoding="utf-8") as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.lstrip().startswith("#")]


def resolves(name: str) -> bool:
    """True when ``name`` (``torch.a.b`` or ``Tensor.x``) is an attribute path (or module) of xpgrad."""
    import autograd

    if name.startswith("Tensor."):
        return hasattr(autograd.Tensor, name.split(".", 1)[1])
    parts = name.split(".")
    if parts[0] != "torch":
        raise ValueError(f"names start with 'torch.' or 'Tensor.', got {name!r}")
    obj, path = autograd, "autograd"
    for p in parts[1:]:
        if hasattr(obj, p):
            obj = getattr(obj, p)
        else:
            try:  # a submodule not imported yet (autograd.utils.checkpoint, autograd.nn.utils.rnn)
                obj = importlib.import_module(f"{path}.{p}")
            except ImportError:
                return False
        path = f"{path}.{p}"
    return True


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    quiet = "--quiet" in argv
    args = [a for a in argv if a != "--quiet"]
    path = args[0] if args else os.path.join(ROOT, "scripts", "api_names.txt")
    sys.path.insert(0, ROOT)
    names = read_names(path)
    missing = [n for n in names if not resolves(n)]
    ok = len(names) - len(missing)
    print(f"{ok}/{len(names)} names resolve ({100.0 * ok / len(names):.1f}%)")
    if missing and not quiet:
        print("missing:")
        for n in missing:
            print("  " + n)
    return missing


if __name__ == "__main__":
    main()
