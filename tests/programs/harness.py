"""Run one PyTorch program twice, with PyTorch and with xpgrad, and compare.

A program in this folder is plain PyTorch code (``import torch``,
``import torch.nn as nn``, ...). ``load(name, "xpgrad")`` rewrites only its
import lines (``import torch`` → ``import autograd as torch``, ``torch.nn`` →
``autograd.nn``, ...), exactly as a user porting it would.

Each program defines:

* ``build()`` → a state dict of objects (models, optimizers, ...);
* ``modules(state)`` → ``{name: nn.Module}``, whose weights the harness copies
  from the PyTorch run into the xpgrad run;
* ``batches(rng, n)`` → ``n`` batches of NumPy arrays (data, and any noise the
  program draws, so that both runs see the same numbers);
* ``step(state, batch)`` → the loss of one training step, as a float;
* optionally ``DTYPE`` (``"float32"`` or ``"float64"``) and ``demo(state)``,
  which exercises inference code (sampling, generation) and returns an array.
"""
from __future__ import annotations

import os
import re
import types

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = ["linear_regression", "vae", "dcgan", "resnet_cifar", "char_gpt", "seq2seq_attention",
            "sine_lstm_lbfgs", "wgan_gp", "unet_small", "vit_tiny", "style_transfer",
            "gnn_policy", "dqn", "maml", "distill_gradcam", "transformer_translation",
            "text_classification"]
#: programs whose ``demo`` draws no random numbers: its output is compared with PyTorch's
DETERMINISTIC_DEMOS = {"linear_regression", "resnet_cifar", "sine_lstm_lbfgs", "unet_small", "gnn_policy",
                       "dqn", "maml", "distill_gradcam", "transformer_translation", "text_classification"}

_IMPORT_RULES = [
    (re.compile(r"^(\s*)import torch$"), r"\1import autograd as torch"),
    (re.compile(r"^(\s*)import torch\.(\S+) as (\w+)$"), r"\1import autograd.\2 as \3"),
    (re.compile(r"^(\s*)from torch(\.\S+)? import (.+)$"), r"\1from autograd\2 import \3"),
]


def port(source: str) -> str:
    """``source`` with its torch import lines rewritten to xpgrad's (nothing else changes)."""
    out = []
    for line in source.splitlines():
        for pattern, repl in _IMPORT_RULES:
            if pattern.match(line):
                line = pattern.sub(repl, line)
                break
        out.append(line)
    return "\n".join(out) + "\n"


def load(name: str, backend: str) -> types.ModuleType:
    """The program ``name`` as a fresh module running on ``backend`` ("torch" or "xpgrad")."""
    path = os.path.join(HERE, name + ".py")
    with open(path) as f:
        source = f.read()
    if backend == "xpgrad":
        source = port(source)
    module = types.ModuleType(f"program_{name}_{backend}")
    module.__file__ = path
    exec(compile(source, path, "exec"), module.__dict__)
    return module


def to_numpy(t) -> np.ndarray:
    return np.array(t.detach().cpu().numpy())


def copy_weights(src_modules, dst_modules, ag):
    """Load every PyTorch module's state_dict into the xpgrad module of the same name."""
    for name, src in src_modules.items():
        state = {k: ag.tensor(to_numpy(v)) for k, v in src.state_dict().items()}
        dst_modules[name].load_state_dict(state)


def named_parameters(modules):
    """``{module.param: parameter}`` over all modules, each parameter once (tied weights too)."""
    seen, out = set(), {}
    for mname, m in modules.items():
        for pname, p in m.named_parameters():
            if id(p) not in seen:
                seen.add(id(p))
                out[f"{mname}.{pname}"] = p
    return out
