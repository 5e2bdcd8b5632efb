"""The numpy speed peer of `ebm bench` (issue 13): Gibbs-with-Gradients (1 flip) and DMALA on the Ising and RBM
targets, run as `ebm bench` runs them, writing the same two traces so that ESS comes from ebm's own estimator.

The samplers are numpy_discrete.py's (vectorized over chains, float32 throughout, E and ∇ₓE cached at the
current state so one step evaluates them once, at the proposal, as ebm's kernels do); this file adds the Ising
energy, the run protocol of `ebm bench` and the traces:
  - the chains start at ebm's start states (TRACE_DIR/x0.npy, written by `ebm bench --trace-dir`);
  - `steps` steps; the first half is warm-up: DMALA's step size adapts by dual averaging of the batch's mean
    acceptance probability towards 0.574 after every step (Hoffman & Gelman 2014, the constants of
    step_size_adaptation.hpp), and is frozen at the averaged value at the half;
  - after every step, untimed: the Hamming distance of every chain to ebm's reference state
    (TRACE_DIR/reference_state.npy) and the energy, into OUT.hamming.npy and OUT.energy.npy (steps × chains,
    float64), whose ESS the driver asks `ebm bench --ess-of` for;
  - timed: each step (and the step size's update), CPU (process) and wall time, summed over the second half —
    what `ebm bench` divides its ESS by.

  Ising (ising_model.hpp): s = 2x − 1 on a periodic L × W lattice (site (a, b) at index a·W + b),
    E = −Σ_i s_i (σ N_i + h),  N_i = the sum of the four neighbours' spins,  ∇ₓE = −4σ N − 2h
  RBM (rbm_free_energy.hpp): F(v) = −v·b − Σ_j softplus(c + v W)_j,  ∇F = −b − σ(c + v W) Wᵀ (numpy_discrete.Rbm)

Arguments: TRACE_DIR TARGET SAMPLER STEPS SEED OUT
  TARGET  ising:LxW:sigma[:field] (as ebm spells it) | rbm:DIR (W.npy, b.npy, c.npy from `ebm export --npy DIR`)
  SAMPLER gwg | dmala[:alpha] (initial step size, 0.1 as in ebm's registry)
Checks on the way: the peer's energy and Hamming statistic at ebm's final states of the same sampler
(TRACE_DIR/SAMPLER.states.npy) against the last row of ebm's traces. Prints one JSON line.
"""
import json
import math
import os
import sys
import time

import numpy as np

from blas_info import describe
from numpy_discrete import DiscreteLangevin, Gwg, Rbm, f32


class Ising:
    def __init__(self, rows, cols, sigma, field):
        self.shape, self.sigma, self.h = (rows, cols), f32(sigma), f32(field)

    def energy_and_grad(self, x):
        n = x.shape[0]
        s = (2 * x - 1).reshape(n, *self.shape)
        nb = np.roll(s, 1, axis=1) + np.roll(s, -1, axis=1) + np.roll(s, 1, axis=2) + np.roll(s, -1, axis=2)
        s, nb = s.reshape(n, -1), nb.reshape(n, -1)
        e = -(s * (self.sigma * nb + self.h)).sum(axis=1)
        g = f32(-4) * self.sigma * nb - 2 * self.h
        return e, g


def make_target(spec):
    kind, _, rest = spec.partition(":")
    if kind == "ising":
        p = rest.split(":")
        rows, cols = (int(v) for v in p[0].split("x"))
        return Ising(rows, cols, float(p[1]), float(p[2]) if len(p) > 2 else 0.0)
    if kind == "rbm":
        return Rbm(rest, prefix="")
    sys.exit(f"numpy_bench_ess: unknown target '{spec}' (ising:LxW:sigma[:field] or rbm:DIR)")


class DualAveraging:
    """step_size_adaptation.hpp's DualAveraging: target 0.574, γ = 0.05, t₀ = 10, κ = 0.75, μ = log(10 ε₀)."""

    def __init__(self, eps0, target=0.574, gamma=0.05, t0=10.0, kappa=0.75):
        self.mu, self.target, self.gamma, self.t0, self.kappa = math.log(10 * eps0), target, gamma, t0, kappa
        self.log_eps = self.log_eps_bar = math.log(eps0)
        self.h_bar, self.t = 0.0, 0

    def learn(self, acceptance):
        self.t += 1
        t = float(self.t)
        eta = 1 / (t + self.t0)
        self.h_bar = (1 - eta) * self.h_bar + eta * (self.target - acceptance)
        self.log_eps = self.mu - math.sqrt(t) / self.gamma * self.h_bar
        w = t ** -self.kappa
        self.log_eps_bar = w * self.log_eps + (1 - w) * self.log_eps_bar
        return self.log_eps


def main():
    trace_dir, target_spec, sampler, steps, seed, out = sys.argv[1:7]
    steps, seed, half = int(steps), int(seed), int(steps) // 2
    model = make_target(target_spec)
    x0 = np.load(os.path.join(trace_dir, "x0.npy")).astype(f32)
    ref = np.load(os.path.join(trace_dir, "reference_state.npy")).astype(f32)
    rng = np.random.default_rng(seed)
    name, _, arg = sampler.partition(":")
    adapt = None
    if name == "gwg":
        k = Gwg(model, x0, rng)
    elif name == "dmala":
        alpha = float(arg) if arg else 0.1
        k = DiscreteLangevin(model, x0, rng, alpha, adjusted=True)
        adapt = DualAveraging(alpha)
    else:
        sys.exit(f"numpy_bench_ess: unknown sampler '{sampler}' (gwg or dmala[:alpha])")
    step_size = alpha if adapt else float("nan")
    n = x0.shape[0]
    hamming, energy = np.empty((steps, n)), np.empty((steps, n))
    cpu = wall = acceptance = 0.0
    for t in range(steps):
        if t == half and adapt:
            step_size = math.exp(adapt.log_eps_bar)
            k.bias, adapt = f32(0.5 / step_size), None
        c0, w0 = time.process_time(), time.perf_counter()
        a, _ = k.step()
        if adapt:
            step_size = math.exp(adapt.learn(a))
            k.bias = f32(0.5 / step_size)
        dc, dw = time.process_time() - c0, time.perf_counter() - w0
        if t >= half:
            cpu, wall, acceptance = cpu + dc, wall + dw, acceptance + a
        hamming[t] = (k.x != ref).sum(axis=1)
        energy[t] = k.e
    for arr in (k.x, k.e, k.g):
        assert arr.dtype == np.float32, f"the state left float32: {arr.dtype}"
    np.save(out + ".hamming.npy", hamming)
    np.save(out + ".energy.npy", energy)
    # The check: the peer's statistic and energy at ebm's final states against ebm's own last trace row.
    base = os.path.join(trace_dir, sampler.replace(":", "_"))
    xe = np.load(base + ".states.npy").astype(f32)
    ee, _ = model.energy_and_grad(xe)
    de = float(np.abs(ee - np.load(base + ".energy.npy")[-1]).max())
    dh = float(np.abs((xe != ref).sum(axis=1) - np.load(base + ".hamming.npy")[-1]).max())
    print(json.dumps({
        "cpu_seconds_half": cpu, "wall_seconds_half": wall, "acceptance": acceptance / (steps - half),
        "step_size": step_size, "max_abs_dE_at_ebm_states": de, "e_scale": float(np.abs(ee).max()),
        "max_abs_dhamming_at_ebm_states": dh, "dtype": str(k.x.dtype), "blas": describe()}))


if __name__ == "__main__":
    main()
