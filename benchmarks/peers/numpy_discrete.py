"""Straightforward vectorized numpy samplers over binary x: the peer of bench_discrete (Gibbs-with-Gradients with
one flip, DULA, DMALA) on the same models, with the same work per step.

Everything is float32 (states, products, flip scores, softmax and the test), vectorized over the chains, the
products as BLAS matmuls, no Python loop over chains or coordinates. Like ebm's kernels, the state caches E and
∇ₓE at the current x, so one step evaluates E and ∇ₓE once, at the proposal (what ebm does; the papers' code
evaluates the current state again every step, which would double the peer's work).

  E(x) for the MLP:  h1 = swish(x W1 + b1), h2 = swish(h1 W2 + b2), E = h2 W3 + b3 − x·a   (a: base logits)
  E(x) for the RBM:  F(v) = −v·b − Σ_j softplus(c + v W)_j,  ∇F = −b − σ(c + v W) Wᵀ
  GWG:   d = (2x − 1) ⊙ ∇E, i ~ softmax(d/2) (inverse CDF), flip i, MH test with the reverse softmax at x'
  DULA:  flip every i with probability σ(d_i/2 − 1/(2α)), take the proposal
  DMALA: the same, MH test with Π_i q_i forward and reverse

Arguments: MODEL_DIR (from `bench_discrete --export=DIR`) model(mlp|rbm) sampler(gwg|dula|dmala) steps warmup seed
[alpha]. Starts from MODEL_DIR/x0.npy, checks E and ∇ₓE there against ebm's (MODEL_DIR/{model}_e0.npy, _g0.npy),
runs `warmup` steps, then times `steps` steps. Prints one JSON line: CPU and wall seconds per step, mean
acceptance probability (and its standard error over steps), mean coordinates changed, the largest differences
from ebm's E and ∇ₓE at x0, the dtype, the BLAS it ran on.
"""
import json
import os
import sys
import time

import numpy as np
from scipy.special import expit, log_expit, logsumexp

from blas_info import describe

f32 = np.float32


def load(d, name):
    return np.load(os.path.join(d, name + ".npy")).astype(f32)


class Mlp:
    def __init__(self, d):
        self.W = [load(d, f"mlp_W{l}") for l in (1, 2, 3)]
        self.b = [load(d, f"mlp_b{l}") for l in (1, 2, 3)]
        self.a = load(d, "mlp_base")

    def energy_and_grad(self, x):
        W1, W2, W3 = self.W
        b1, b2, b3 = self.b
        z1 = x @ W1 + b1
        s1 = expit(z1)
        h1 = z1 * s1
        z2 = h1 @ W2 + b2
        s2 = expit(z2)
        h2 = z2 * s2
        e = (h2 @ W3)[:, 0] + b3[0] - x @ self.a
        d2 = W3[:, 0] * (s2 + h2 * (1 - s2))  # swish'(z) = σ(z) + z σ(z) (1 − σ(z))
        d1 = (d2 @ W2.T) * (s1 + h1 * (1 - s1))
        g = d1 @ W1.T - self.a
        return e, g


class Rbm:
    def __init__(self, d, prefix="rbm_"):  # `ebm export --npy DIR` writes DIR/W.npy, b.npy, c.npy: prefix ""
        self.W, self.b, self.c = load(d, prefix + "W"), load(d, prefix + "b"), load(d, prefix + "c")

    def energy_and_grad(self, v):
        a = v @ self.W + self.c
        e = -(v @ self.b) - np.logaddexp(f32(0), a).sum(axis=1)
        g = -self.b - expit(a) @ self.W.T
        return e, g


class Gwg:
    """Gibbs-with-Gradients, one flip."""

    def __init__(self, model, x, rng):
        self.model, self.x, self.rng = model, x, rng
        self.e, self.g = model.energy_and_grad(x)
        self.rows = np.arange(x.shape[0])

    def step(self):
        x, rows = self.x, self.rows
        logits = (2 * x - 1) * self.g / 2
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        c = np.cumsum(p, axis=1)
        u = self.rng.random(x.shape[0], dtype=f32) * c[:, -1]
        i = np.minimum((c < u[:, None]).sum(axis=1), x.shape[1] - 1)
        lq_fwd = logits[rows, i] - logsumexp(logits, axis=1)
        xp = x.copy()
        xp[rows, i] = 1 - xp[rows, i]
        ep, gp = self.model.energy_and_grad(xp)
        logits_r = (2 * xp - 1) * gp / 2
        lq_rev = logits_r[rows, i] - logsumexp(logits_r, axis=1)
        return self.test(xp, ep, gp, self.e - ep + lq_rev - lq_fwd, 1.0)

    def test(self, xp, ep, gp, log_alpha, flips):
        acc = np.minimum(f32(1), np.exp(np.minimum(log_alpha, f32(0))))
        take = self.rng.random(xp.shape[0], dtype=f32) < acc
        self.x = np.where(take[:, None], xp, self.x)
        self.e = np.where(take, ep, self.e)
        self.g = np.where(take[:, None], gp, self.g)
        return float(acc.mean()), float(np.mean(flips))


class DiscreteLangevin(Gwg):
    """DULA (adjusted=False) and DMALA (adjusted=True) with step size alpha."""

    def __init__(self, model, x, rng, alpha, adjusted):
        super().__init__(model, x, rng)
        self.bias, self.adjusted = f32(0.5 / alpha), adjusted

    def step(self):
        x = self.x
        z = (2 * x - 1) * self.g / 2 - self.bias
        flip = self.rng.random(x.shape, dtype=f32) < expit(z)
        xp = np.where(flip, 1 - x, x)
        ep, gp = self.model.energy_and_grad(xp)
        flips = flip.sum(axis=1)
        if not self.adjusted:
            self.x, self.e, self.g = xp, ep, gp
            return 1.0, float(flips.mean())
        sign = np.where(flip, f32(1), f32(-1))  # log q_i = log σ(z_i) for a flip, log σ(−z_i) for a keep
        lq_fwd = log_expit(sign * z).sum(axis=1)
        zr = (2 * xp - 1) * gp / 2 - self.bias
        lq_rev = log_expit(sign * zr).sum(axis=1)
        return self.test(xp, ep, gp, self.e - ep + lq_rev - lq_fwd, flips)


def main():
    d, model_name, sampler, steps, warmup, seed = sys.argv[1:7]
    steps, warmup, seed = int(steps), int(warmup), int(seed)
    alpha = float(sys.argv[7]) if len(sys.argv) > 7 else 0.2
    model = {"mlp": Mlp, "rbm": Rbm}[model_name](d)
    x0 = load(d, "x0")
    e0, g0 = model.energy_and_grad(x0)
    de = float(np.abs(e0 - load(d, f"{model_name}_e0")).max())
    dg = float(np.abs(g0 - load(d, f"{model_name}_g0")).max())
    rng = np.random.default_rng(seed)
    if sampler == "gwg":
        k = Gwg(model, x0, rng)
    else:
        k = DiscreteLangevin(model, x0, rng, alpha, adjusted=sampler == "dmala")
    for _ in range(warmup):
        k.step()
    acc, flips = [], []
    c0, w0 = time.process_time(), time.perf_counter()
    for _ in range(steps):
        a, f = k.step()
        acc.append(a)
        flips.append(f)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    for arr in (k.x, k.e, k.g):
        assert arr.dtype == np.float32, f"the state left float32: {arr.dtype}"
    print(json.dumps({
        "cpu_per_step": cpu / steps, "wall_per_step": wall / steps,
        "acceptance": float(np.mean(acc)), "acceptance_se": float(np.std(acc) / np.sqrt(steps)),
        "flips": float(np.mean(flips)), "max_abs_dE0": de, "max_abs_dgrad0": dg,
        "e0_scale": float(np.abs(e0).max()), "dtype": str(k.x.dtype), "blas": describe()}))


if __name__ == "__main__":
    main()
