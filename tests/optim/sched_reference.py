"""Closed-form learning-rate schedules (and ReduceLROnPlateau's rule) in plain Python, the references of
the scheduler tests without PyTorch. ``schedule(name, kwargs, base_lrs, base_momenta, steps, metrics)``
gives ``[(lrs, momenta)]`` after construction and after each step (momenta None where untouched)."""
from __future__ import annotations

import math
from bisect import bisect_right


def _per_group(value, n):
    return list(value) if isinstance(value, (list, tuple)) else [value] * n


def _decay(name, kw, base, e):
    if name == "StepLR":
        return base * kw.get("gamma", 0.1) ** (e // kw["step_size"])
    if name == "MultiStepLR":
        return base * kw.get("gamma", 0.1) ** bisect_right(sorted(kw["milestones"]), e)
    if name == "ExponentialLR":
        return base * kw["gamma"] ** e
    if name == "CosineAnnealingLR":
        eta_min = kw.get("eta_min", 0.0)
        return eta_min + (base - eta_min) * (1 + math.cos(math.pi * e / kw["T_max"])) / 2
    raise KeyError(name)


def _one_cycle(kw, n, e):
    total = kw.get("total_steps") or kw["epochs"] * kw["steps_per_epoch"]
    pct, div = kw.get("pct_start", 0.3), kw.get("div_factor", 25.0)
    final_div = kw.get("final_div_factor", 1e4)
    linear = kw.get("anneal_strategy", "cos") == "linear"
    max_lrs = _per_group(kw["max_lr"], n)
    m_lo, m_hi = kw.get("base_momentum", 0.85), kw.get("max_momentum", 0.95)

    def anneal(start, end, p):
        return (end - start) * p + start if linear else end + (start - end) / 2 * (math.cos(math.pi * p) + 1)

    out = []
    for max_lr in max_lrs:
        init, low = max_lr / div, max_lr / div / final_div
        if kw.get("three_phase"):
            phases = [(pct * total - 1, init, max_lr, m_hi, m_lo),
                      (2 * pct * total - 2, max_lr, init, m_lo, m_hi), (total - 1, init, low, m_hi, m_hi)]
        else:
            phases = [(pct * total - 1, init, max_lr, m_hi, m_lo), (total - 1, max_lr, low, m_lo, m_hi)]
        start = 0
        for i, (end, lr0, lr1, mo0, mo1) in enumerate(phases):
            if e <= end or i == len(phases) - 1:
                p = (e - start) / (end - start)
                out.append((anneal(lr0, lr1, p), anneal(mo0, mo1, p)))
                break
            start = end
    return [lr for lr, _ in out], ([m for _, m in out] if kw.get("cycle_momentum", True) else None)


def _plateau(kw, lrs, metrics):
    mode, th, th_mode = kw.get("mode", "min"), kw.get("threshold", 1e-4), kw.get("threshold_mode", "rel")
    factor, patience, cooldown = kw.get("factor", 0.1), kw.get("patience", 10), kw.get("cooldown", 0)
    min_lrs, eps = _per_group(kw.get("min_lr", 0), len(lrs)), kw.get("eps", 1e-8)
    best, bad, cool, seq = (math.inf if mode == "min" else -math.inf), 0, 0, [list(lrs)]
    for m in metrics:
        if mode == "min":
            better = m < (best * (1 - th) if th_mode == "rel" else best - th)
        else:
            better = m > (best * (1 + th) if th_mode == "rel" else best + th)
        best, bad = (m, 0) if better else (best, bad + 1)
        if cool > 0:
            cool, bad = cool - 1, 0
        if bad > patience:
            for i, lr in enumerate(lrs):
                new = max(lr * factor, min_lrs[i])
                if lr - new > eps:
                    lrs[i] = new
            cool, bad = cooldown, 0
        seq.append(list(lrs))
    return seq


def schedule(name, kwargs, base_lrs, steps, metrics=None):
    """The lr list (and momentum list, for OneCycleLR) after construction and after each step."""
    n = len(base_lrs)
    if name == "ReduceLROnPlateau":
        return [(lrs, None) for lrs in _plateau(kwargs, list(base_lrs), metrics)]
    seq = []
    for e in range(steps + 1):
        if name == "OneCycleLR":
            seq.append(_one_cycle(kwargs, n, e))
        elif name == "LambdaLR":
            fns = _per_group(kwargs["lr_lambda"], n)
            seq.append(([b * f(e) for b, f in zip(base_lrs, fns)], None))
        else:
            seq.append(([_decay(name, kwargs, b, e) for b in base_lrs], None))
    return seq
