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
    if name == "ConstantLR":
        return base * (kw.get("factor", 1 / 3) if e < kw.get("total_iters", 5) else 1.0)
    if name == "LinearLR":
        s, f, n = kw.get("start_factor", 1 / 3), kw.get("end_factor", 1.0), kw.get("total_iters", 5)
        return base * (s + (f - s) * min(n, e) / n)
    if name == "PolynomialLR":
        n = kw.get("total_iters", 5)
        return base * (1 - min(n, e) / n) ** kw.get("power", 1.0)
    if name == "CosineAnnealingWarmRestarts":
        t_cur, t_i = warm_restart_phase(e, kw["T_0"], kw.get("T_mult", 1))
        eta_min = kw.get("eta_min", 0.0)
        return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2
    raise KeyError(name)


def warm_restart_phase(epoch, t_0, t_mult):
    """(T_cur, T_i) of SGDR at a (possibly fractional) epoch, by walking the periods."""
    t_cur, t_i = epoch, t_0
    while t_cur >= t_i:
        t_cur, t_i = t_cur - t_i, t_i * t_mult
    return t_cur, t_i


def _cyclic(kw, n, e):
    """CyclicLR: a triangle wave of period step_size_up + step_size_down, its amplitude scaled by the mode."""
    up = kw.get("step_size_up", 2000)
    down = kw.get("step_size_down") or up
    pos = e % (up + down)  # position inside the cycle
    frac = pos / up if pos <= up else (up + down - pos) / down  # 0 at base, 1 at max
    mode, cycle = kw.get("mode", "triangular"), e // (up + down) + 1
    scale = {"triangular": 1.0, "triangular2": 0.5 ** (cycle - 1),
             "exp_range": kw.get("gamma", 1.0) ** e}[mode]
    lows, highs = _per_group(kw["base_lr"], n), _per_group(kw["max_lr"], n)
    lrs = [b + (m - b) * frac * scale for b, m in zip(lows, highs)]
    if not kw.get("cycle_momentum", True):
        return lrs, None
    lo, hi = _per_group(kw.get("base_momentum", 0.8), n), _per_group(kw.get("max_momentum", 0.9), n)
    return lrs, [h - (h - b) * frac * scale for b, h in zip(lo, hi)]


def _sequential(kw, base, e):
    """SequentialLR: each scheduler's closed form, restarted at epoch 0 at its milestone."""
    starts = [0, *kw["milestones"]]
    i = bisect_right(kw["milestones"], e)
    name, sub = kw["schedulers"][i]
    return _decay(name, sub, base, e - starts[i])


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
        elif name == "CyclicLR":
            seq.append(_cyclic(kwargs, n, e))
        elif name == "LambdaLR":
            fns = _per_group(kwargs["lr_lambda"], n)
            seq.append(([b * f(e) for b, f in zip(base_lrs, fns)], None))
        elif name == "MultiplicativeLR":
            fns = _per_group(kwargs["lr_lambda"], n)
            seq.append(([b * math.prod(f(k) for k in range(1, e + 1)) for b, f in zip(base_lrs, fns)], None))
        elif name == "SWALR":  # alpha = anneal(min(1, e / anneal_epochs)) of the way from the initial lr
            n_anneal = kwargs.get("anneal_epochs", 10)
            t = 1.0 if n_anneal == 0 else min(1.0, e / n_anneal)
            alpha = t if kwargs.get("anneal_strategy", "cos") == "linear" else (1 - math.cos(math.pi * t)) / 2
            swa = _per_group(kwargs["swa_lr"], n)
            seq.append(([s * alpha + b * (1 - alpha) for s, b in zip(swa, base_lrs)], None))
        elif name == "SequentialLR":
            seq.append(([_sequential(kwargs, b, e) for b in base_lrs], None))
        elif name == "ChainedScheduler":  # factors compose: the product of each one's ratio to the base
            factor = math.prod(_decay(sub_name, sub, 1.0, e) for sub_name, sub in kwargs["schedulers"])
            seq.append(([b * factor for b in base_lrs], None))
        else:
            seq.append(([_decay(name, kwargs, b, e) for b in base_lrs], None))
    return seq
