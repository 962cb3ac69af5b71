#!/usr/bin/env python3
"""Reference numbers for mlplay's neural-network module (src/nn/), from NumPy alone.

Writes, relative to the repository root:
  tests/fixtures/nn_optimizers.json  5 steps of every optimizer on a small Dense + MSE problem
  tests/fixtures/nn_layers.json      activations (value, derivative), BatchNorm forward/backward,
                                     losses (value, gradient), max-norm
  tests/fixtures/nn_schedules.json   learning-rate sequences of every schedule

The update rules are written out from the Keras 3 documentation and source conventions (defaults,
epsilon placement), except Nadam, which uses the momentum schedule of Dozat's paper as Keras 2 and
PyTorch's NAdam do, and 1cycle, which follows PyTorch's OneCycleLR(three_phase=True,
anneal_strategy="linear"). Everything is computed in float64 from inputs that are exactly
representable in float32 (rounded through np.float32), so the Rust float32 run differs only by
rounding. Deterministic: fixed numpy seeds, no other library.

Usage: python3 scripts/fixtures.d/nn.py (or scripts/fixtures for every family)
"""
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures")


def f32(a):
    """Round to float32 and back, so the JSON inputs are exactly what the Rust side holds."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def floats(a):
    return [float(v) for v in np.ravel(a)]


def write(name, payload):
    payload = {"generator": "scripts/fixtures.d/nn.py", "numpy": np.__version__, **payload}
    with open(os.path.join(OUT_DIR, name), "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# Optimizers: one Dense layer (3 -> 2, no activation), MSE over all elements, 5 full-batch steps.

def dense_mse_grads(w, b, x, y):
    pred = x @ w + b
    d = 2.0 * (pred - y) / pred.size
    return np.mean((pred - y) ** 2), x.T @ d, d.sum(axis=0)


def run_optimizer(kind, hp, lr, w, b, x, y, steps=5):
    params = [w.copy(), b.copy()]
    s1 = [np.full_like(p, hp.get("initial_accumulator", 0.0)) for p in params]
    s2 = [np.zeros_like(p) for p in params]
    mu_prod = 1.0
    out = []
    for t in range(1, steps + 1):
        loss, gw, gb = dense_mse_grads(params[0], params[1], x, y)
        grads = [gw, gb]
        if kind == "nadam":
            b1 = hp["beta1"]
            mu = lambda s: b1 * (1.0 - 0.5 * 0.96 ** (0.004 * s))
            mu_t, mu_t1 = mu(t), mu(t + 1)
            mu_prod *= mu_t
            mu_next_prod = mu_prod * mu_t1
        for i, (p, g) in enumerate(zip(params, grads)):
            if kind == "sgd":
                p -= lr * g
            elif kind == "momentum":
                s1[i] = hp["momentum"] * s1[i] - lr * g
                p += s1[i]
            elif kind == "nesterov":
                s1[i] = hp["momentum"] * s1[i] - lr * g
                p += hp["momentum"] * s1[i] - lr * g
            elif kind == "ada_grad":
                s1[i] = s1[i] + g * g
                p -= lr * g / np.sqrt(s1[i] + hp["epsilon"])
            elif kind == "rms_prop":
                s1[i] = hp["rho"] * s1[i] + (1 - hp["rho"]) * g * g
                p -= lr * g / np.sqrt(s1[i] + hp["epsilon"])
            elif kind in ("adam", "adam_w"):
                if kind == "adam_w":
                    p -= p * hp["weight_decay"] * lr
                b1, b2 = hp["beta1"], hp["beta2"]
                s1[i] += (g - s1[i]) * (1 - b1)
                s2[i] += (g * g - s2[i]) * (1 - b2)
                alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                p -= alpha * s1[i] / (np.sqrt(s2[i]) + hp["epsilon"])
            elif kind == "ada_max":
                b1, b2 = hp["beta1"], hp["beta2"]
                s1[i] += (g - s1[i]) * (1 - b1)
                s2[i] = np.maximum(b2 * s2[i], np.abs(g))
                p -= lr / (1 - b1 ** t) * s1[i] / (s2[i] + hp["epsilon"])
            elif kind == "nadam":
                b2 = hp["beta2"]
                s1[i] += (g - s1[i]) * (1 - hp["beta1"])
                s2[i] += (g * g - s2[i]) * (1 - b2)
                m_hat = mu_t1 * s1[i] / (1 - mu_next_prod) + (1 - mu_t) * g / (1 - mu_prod)
                v_hat = s2[i] / (1 - b2 ** t)
                p -= lr * m_hat / (np.sqrt(v_hat) + hp["epsilon"])
            else:
                raise ValueError(kind)
        out.append({"loss_before": float(loss), "kernel": floats(params[0]), "bias": floats(params[1])})
    return out


def optimizers():
    rng = np.random.default_rng(6)
    x = f32(rng.normal(size=(8, 3)))
    y = f32(rng.normal(size=(8, 2)))
    w = f32(rng.normal(scale=0.5, size=(3, 2)))
    b = f32(rng.normal(scale=0.1, size=2))
    adam = {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}
    cases = [
        ("sgd", {}, 0.1),
        ("momentum", {"momentum": 0.9}, 0.1),
        ("nesterov", {"momentum": 0.9}, 0.1),
        ("ada_grad", {"initial_accumulator": 0.1, "epsilon": 1e-7}, 0.1),
        ("rms_prop", {"rho": 0.9, "epsilon": 1e-7}, 0.01),
        ("adam", adam, 0.05),
        ("ada_max", adam, 0.05),
        ("nadam", adam, 0.05),
        ("adam_w", {**adam, "weight_decay": 0.1}, 0.05),
    ]
    out = []
    for name, hp, lr in cases:
        hp32 = {k: float(np.float32(v)) for k, v in hp.items()}
        lr32 = float(np.float32(lr))
        kind = {"name": name, **hp32}
        out.append({"kind": kind, "learning_rate": lr32,
                    "steps": run_optimizer(name, hp32, lr32, w, b, x, y)})
    write("nn_optimizers.json", {
        "problem": "Dense 3->2 (no activation), MSE mean over all elements, full batch",
        "x": [floats(r) for r in x], "y": [floats(r) for r in y],
        "kernel": [floats(r) for r in w], "bias": floats(b), "cases": out,
    })


# ---------------------------------------------------------------------------------------------
# Layers and losses.

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def activations(x):
    gc, gk = np.sqrt(2.0 / np.pi), 0.044715
    t = np.tanh(gc * (x + gk * x ** 3))
    s = sigmoid(x)
    neg = x <= 0
    return {
        "sigmoid": (s, s * (1 - s)),
        "tanh": (np.tanh(x), 1 - np.tanh(x) ** 2),
        "relu": (np.maximum(x, 0), (x > 0).astype(float)),
        "leaky_relu": (np.where(neg, 0.2 * x, x), np.where(neg, 0.2, 1.0)),
        "elu": (np.where(neg, np.expm1(x), x), np.where(neg, np.exp(x), 1.0)),
        "selu": (SELU_SCALE * np.where(neg, SELU_ALPHA * np.expm1(x), x),
                 SELU_SCALE * np.where(neg, SELU_ALPHA * np.exp(x), 1.0)),
        "gelu": (0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * gc * (1 + 3 * gk * x * x)),
        "swish": (x * s, s + x * s * (1 - s)),
    }


def batch_norm(x, gamma, beta, r, eps=1e-3, momentum=0.99):
    """Training-mode forward, gradients of L = sum(y * r), running statistics after one update
    from (0, 1), and eval-mode output with those statistics (Keras conventions)."""
    n = x.shape[0]
    mean = x.mean(axis=0)
    var = ((x - mean) ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mean) / std
    y = xhat * gamma + beta
    dy = r
    dgamma = (dy * xhat).sum(axis=0)
    dbeta = dy.sum(axis=0)
    dxhat = dy * gamma
    dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) / std
    run_mean = momentum * 0.0 + (1 - momentum) * mean
    run_var = momentum * 1.0 + (1 - momentum) * var
    y_eval = (x - run_mean) / np.sqrt(run_var + eps) * gamma + beta
    return {"y": y, "dx": dx, "dgamma": dgamma, "dbeta": dbeta,
            "running_mean": run_mean, "running_var": run_var, "y_eval": y_eval}


def softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def losses(pred, target, labels01, onehot):
    n = pred.size
    d = pred - target
    huber = np.where(np.abs(d) <= 1.0, 0.5 * d * d, np.abs(d) - 0.5)
    out = {
        "mse": (np.mean(d * d), 2 * d / n, target),
        "mae": (np.mean(np.abs(d)), np.sign(d) / n, target),
        "huber": (np.mean(huber), np.clip(d, -1, 1) / n, target),
        "binary_cross_entropy": (np.mean(softplus(pred) - labels01 * pred),
                                 (sigmoid(pred) - labels01) / n, labels01),
        "categorical_cross_entropy": (-np.sum(onehot * log_softmax(pred)) / pred.shape[0],
                                      (np.exp(log_softmax(pred)) * onehot.sum(axis=1, keepdims=True) - onehot) / pred.shape[0],
                                      onehot),
    }
    return {k: {"target": [floats(r) for r in t], "value": float(v), "grad": [floats(r) for r in g]}
            for k, (v, g, t) in out.items()}


def max_norm(w, m):
    norms = np.sqrt((w * w).sum(axis=0, keepdims=True))
    return w * np.clip(norms, 0, m) / (norms + 1e-7)


def layers():
    rng = np.random.default_rng(60)
    # Points away from 0 so the kinks of ReLU and friends are not on them.
    xa = f32(np.concatenate([np.linspace(-4, -0.1, 8), np.linspace(0.1, 4, 8)]))
    acts = {k: {"y": floats(v), "dy": floats(d)} for k, (v, d) in activations(xa).items()}

    x = f32(rng.normal(loc=1.0, scale=2.0, size=(6, 3)))
    gamma = f32(rng.normal(loc=1.0, scale=0.3, size=3))
    beta = f32(rng.normal(scale=0.3, size=3))
    r = f32(rng.normal(size=(6, 3)))
    bn = {k: [floats(row) for row in np.atleast_2d(v)] if np.ndim(v) == 2 else floats(v)
          for k, v in batch_norm(x, gamma, beta, r).items()}

    pred = f32(rng.normal(scale=1.5, size=(5, 3)))
    target = f32(rng.normal(size=(5, 3)))
    labels01 = f32(rng.integers(0, 2, size=(5, 3)))
    onehot = np.eye(3)[rng.integers(0, 3, size=5)]
    w = f32(rng.normal(size=(4, 3)) * np.array([0.2, 1.0, 3.0]))
    write("nn_layers.json", {
        "activations": {"x": floats(xa), "leaky_relu_alpha": 0.2, "elu_alpha": 1.0, **acts},
        "batch_norm": {"x": [floats(row) for row in x], "gamma": floats(gamma), "beta": floats(beta),
                       "r": [floats(row) for row in r], "momentum": 0.99, "epsilon": float(np.float32(1e-3)), **bn},
        "losses": {"pred": [floats(row) for row in pred], "huber_delta": 1.0,
                   **losses(pred, target, labels01, onehot)},
        "max_norm": {"w": [floats(row) for row in w], "max": 1.5, "result": [floats(row) for row in max_norm(w, 1.5)]},
    })


# ---------------------------------------------------------------------------------------------
# Learning-rate schedules.

def one_cycle(max_lr, total, pct, div, final_div):
    initial = max_lr / div
    lo = initial / final_div
    phases = [(pct * total - 1, initial, max_lr), (2 * pct * total - 2, max_lr, initial), (total - 1, initial, lo)]
    out = []
    for s in range(total):
        start = 0.0
        for i, (end, a, b) in enumerate(phases):
            if s <= end or i == len(phases) - 1:
                out.append(a + (b - a) * (s - start) / (end - start))
                break
            start = end
    return out


def plateau(lr, losses, factor, patience, min_delta, min_lr):
    best, wait, out = np.inf, 0, []
    for l in losses:
        if l < best - min_delta:
            best, wait = l, 0
        else:
            wait += 1
            if wait >= patience:
                lr = max(lr * factor, min_lr)
                wait = 0
        out.append(lr)
    return out


def schedules():
    lr0 = float(np.float32(0.1))
    steps = list(range(30))
    # No loss lies within rounding of `best - min_delta`, so float32 and float64 agree.
    val = [float(np.float32(v)) for v in [1.0, 0.8, 0.7, 0.71, 0.72, 0.65, 0.70, 0.70, 0.71, 0.72, 0.50, 0.51, 0.52, 0.53, 0.54]]
    write("nn_schedules.json", {
        "base_lr": lr0,
        "cases": [
            {"schedule": {"name": "exponential", "decay_rate": 0.5, "decay_steps": 10},
             "rates": [lr0 * 0.5 ** (s / 10) for s in steps]},
            {"schedule": {"name": "exponential", "decay_rate": 0.5, "decay_steps": 10, "staircase": True},
             "rates": [lr0 * 0.5 ** (s // 10) for s in steps]},
            {"schedule": {"name": "piecewise", "boundaries": [5, 12, 20],
                          "values": [float(np.float32(v)) for v in (0.1, 0.05, 0.01, 0.001)]},
             "rates": [float(np.float32([0.1, 0.05, 0.01, 0.001][sum(s > b for b in (5, 12, 20))])) for s in steps]},
            {"schedule": {"name": "one_cycle", "total_steps": 30, "pct_start": float(np.float32(0.3)),
                          "div_factor": 25.0, "final_div_factor": 1e4},
             "rates": one_cycle(lr0, 30, float(np.float32(0.3)), 25.0, 1e4)},
        ],
        "performance": {"schedule": {"name": "performance", "factor": 0.5, "patience": 2,
                                     "min_delta": float(np.float32(0.01)), "min_lr": float(np.float32(0.02))},
                        "epoch_losses": val,
                        "rates": plateau(lr0, val, 0.5, 2, float(np.float32(0.01)), float(np.float32(0.02)))},
    })


if __name__ == "__main__":
    optimizers()
    layers()
    schedules()
