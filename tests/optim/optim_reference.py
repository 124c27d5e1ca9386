"""NumPy reimplementations of every optimizer's update rule, from the papers' formulas as PyTorch states them.

Each ``ref_<name>(params, grad_seq, **hyperparameters)`` runs the whole
sequence of gradients on float64 copies of ``params`` and returns the final
parameters; tests compare the optimizers with them without PyTorch.
"""
from __future__ import annotations

import math

import numpy as np

DEFAULTS = {
    "SGD": {"lr": 1e-3, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False},
    "Adam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False,
             "decoupled_weight_decay": False},
    "AdamW": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2, "amsgrad": False},
    "RMSprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0, "centered": False},
    "Adagrad": {"lr": 1e-2, "lr_decay": 0, "weight_decay": 0, "initial_accumulator_value": 0, "eps": 1e-10},
    "Adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0},
    "Rprop": {"lr": 1e-2, "etas": (0.5, 1.2), "step_sizes": (1e-6, 50)},
    "NAdam": {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "momentum_decay": 4e-3,
              "decoupled_weight_decay": False},
    "RAdam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
              "decoupled_weight_decay": False},
    "Adamax": {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0},
    "ASGD": {"lr": 1e-2, "lambd": 1e-4, "alpha": 0.75, "t0": 1e6, "weight_decay": 0},
}


def reference(name, params, grad_seq, kwargs):
    """The parameters after running ``name``'s update over ``grad_seq`` (a list of lists of arrays)."""
    hp = dict(DEFAULTS[name], **kwargs)
    maximize = hp.pop("maximize", False)
    if name == "AdamW":
        name, hp = "Adam", dict(hp, decoupled_weight_decay=True)
    rule = RULES[name]
    out = []
    for i, p in enumerate(params):
        p = np.array(p, dtype=np.float64)
        state = {}
        for t, grads in enumerate(grad_seq, 1):
            g = -np.asarray(grads[i], np.float64) if maximize else np.asarray(grads[i], np.float64)
            p = rule(p, g, state, t, **hp)
        out.append(p)
    return out


def _l2(p, g, wd):
    return g + wd * p if wd else g


def _sgd(p, g, s, t, lr, momentum, dampening, weight_decay, nesterov):
    g = _l2(p, g, weight_decay)
    if momentum:
        s["b"] = g.copy() if t == 1 else momentum * s["b"] + (1 - dampening) * g
        g = g + momentum * s["b"] if nesterov else s["b"]
    return p - lr * g


def _moments(s, g, b1, b2):
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    return s["m"], s["v"]


def _decay(p, g, lr, wd, decoupled):
    return (p * (1 - lr * wd), g) if decoupled else (p, _l2(p, g, wd))


def _adam(p, g, s, t, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay):
    p, g = _decay(p, g, lr, weight_decay, decoupled_weight_decay)
    m, v = _moments(s, g, *betas)
    if amsgrad:
        v = s["vmax"] = np.maximum(s.get("vmax", 0), v)
    return p - lr / (1 - betas[0] ** t) * m / (np.sqrt(v) / math.sqrt(1 - betas[1] ** t) + eps)


def _rmsprop(p, g, s, t, lr, alpha, eps, weight_decay, momentum, centered):
    g = _l2(p, g, weight_decay)
    s["v"] = alpha * s.get("v", 0) + (1 - alpha) * g * g
    v = s["v"]
    if centered:
        s["a"] = alpha * s.get("a", 0) + (1 - alpha) * g
        v = v - s["a"] ** 2
    step = g / (np.sqrt(v) + eps)
    if momentum > 0:
        s["b"] = step = momentum * s.get("b", 0) + step
    return p - lr * step


def _adagrad(p, g, s, t, lr, lr_decay, weight_decay, initial_accumulator_value, eps):
    g = _l2(p, g, weight_decay)
    s["sum"] = s.get("sum", initial_accumulator_value) + g * g
    return p - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s["sum"]) + eps)


def _adadelta(p, g, s, t, lr, rho, eps, weight_decay):
    g = _l2(p, g, weight_decay)
    s["v"] = rho * s.get("v", 0) + (1 - rho) * g * g
    delta = np.sqrt(s.get("u", 0) + eps) / np.sqrt(s["v"] + eps) * g
    s["u"] = rho * s.get("u", 0) + (1 - rho) * delta * delta
    return p - lr * delta


def _rprop(p, g, s, t, lr, etas, step_sizes):
    prev = s.get("prev", np.zeros_like(p))
    size = s.get("size", np.full_like(p, lr))
    sign = np.sign(g * prev)
    size = np.clip(size * np.where(sign > 0, etas[1], np.where(sign < 0, etas[0], 1.0)), *step_sizes)
    g = np.where(sign < 0, 0.0, g)  # a flipped sign: no step now, no flip next time
    s["prev"], s["size"] = g, size
    return p - np.sign(g) * size


def _nadam(p, g, s, t, lr, betas, eps, weight_decay, momentum_decay, decoupled_weight_decay):
    b1, b2 = betas
    p, g = _decay(p, g, lr, weight_decay, decoupled_weight_decay)
    mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    s["prod"] = float(np.float32(s.get("prod", 1.0)) * np.float32(mu))  # float32 scalar state, as PyTorch
    m, v = _moments(s, g, b1, b2)
    denom = np.sqrt(v / (1 - b2 ** t)) + eps
    p = p - lr * (1 - mu) / (1 - s["prod"]) * g / denom
    return p - lr * mu_next / (1 - s["prod"] * mu_next) * m / denom


def _radam(p, g, s, t, lr, betas, eps, weight_decay, decoupled_weight_decay):
    b1, b2 = betas
    p, g = _decay(p, g, lr, weight_decay, decoupled_weight_decay)
    m, v = _moments(s, g, b1, b2)
    m_hat = m / (1 - b1 ** t)
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
    if rho_t <= 5:
        return p - lr * m_hat
    rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    return p - lr * m_hat * rect * math.sqrt(1 - b2 ** t) / (np.sqrt(v) + eps)


def _adamax(p, g, s, t, lr, betas, eps, weight_decay):
    g = _l2(p, g, weight_decay)
    s["m"] = betas[0] * s.get("m", 0) + (1 - betas[0]) * g
    s["u"] = np.maximum(betas[1] * s.get("u", 0), np.abs(g) + eps)
    return p - lr / (1 - betas[0] ** t) * s["m"] / s["u"]


def _asgd(p, g, s, t, lr, lambd, alpha, t0, weight_decay):
    g = _l2(p, g, weight_decay)
    eta, mu = s.get("eta", float(np.float32(lr))), s.get("mu", 1.0)
    p = p * (1 - lambd * eta) - eta * g
    s["ax"] = p.copy() if mu == 1 else s["ax"] + mu * (p - s["ax"])
    s["eta"] = float(np.float32(lr / (1 + lambd * lr * t) ** alpha))  # float32 scalar state, as PyTorch
    s["mu"] = float(np.float32(1 / max(1, t - t0)))
    return p


RULES = {"SGD": _sgd, "Adam": _adam, "RMSprop": _rmsprop, "Adagrad": _adagrad, "Adadelta": _adadelta,
         "Rprop": _rprop, "NAdam": _nadam, "RAdam": _radam, "Adamax": _adamax, "ASGD": _asgd}
