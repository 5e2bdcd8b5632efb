#!/usr/bin/env python3
"""The numpy speed peer of `ebm bench` (benchmarks/peers/numpy_bench_ess.py) is a peer of the same chains: on a
small Ising target (lattice rows long enough for the stencil's chunks, a field) and a small imported RBM, its
energy and Hamming statistic at ebm's final states equal ebm's traced ones, its acceptance is a probability and
its traces have `ebm bench`'s shape; and `ebm bench --ess-of` of ebm's own traces gives ebm's reported ESS bit for
bit (so the peer's ESS, computed the same way, comes from the same estimator). No timing is checked.

    bench_numpy_peer.py EBM PEER_DIR WORK_DIR      (exit 77, "skipped", without numpy, scipy or threadpoolctl)
"""
import json
import os
import subprocess
import sys

try:
    import numpy as np
    import scipy.special  # noqa: F401 (the peer needs it)
    import threadpoolctl  # noqa: F401
except ImportError:
    print("numpy, scipy or threadpoolctl is not installed: skipped")
    sys.exit(77)

ebm, peer_dir, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
os.chdir(work)
failures = 0


def run(*args):
    r = subprocess.run(list(args), capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)} exited with {r.returncode}: {r.stderr}")
    return r.stdout


def check(ok, what):
    global failures
    print(("ok: " if ok else "FAIL: ") + what)
    failures += not ok


# A random 30 × 7 RBM, imported into an ebm model file.
rng = np.random.default_rng(3)
os.makedirs("rbm", exist_ok=True)
np.save("rbm/W.npy", (0.5 * rng.standard_normal((30, 7))).astype(np.float32))
np.save("rbm/b.npy", (0.3 * rng.standard_normal(30)).astype(np.float32))
np.save("rbm/c.npy", (0.3 * rng.standard_normal(7)).astype(np.float32))
run(ebm, "import", "--npy", "rbm", "--out", "rbm.ebm")

steps, chains = 40, 9
for ebm_target, peer_target in (("ising:3x70:0.3:0.15", "ising:3x70:0.3:0.15"), ("rbm:rbm.ebm", "rbm:rbm")):
    tag = ebm_target.split(":")[0]
    traces = f"{tag}-traces"
    out = json.loads(run(ebm, "bench", "--target", ebm_target, "--samplers", "gwg,dmala", "--chains", str(chains),
                         "--steps", str(steps), "--seed", "2", "--threads", "1", "--reference-states", "2",
                         "--reference-sweeps", "1", "--json", "--trace-dir", traces))
    for s in out["samplers"]:
        name = s["sampler"]
        h, e = f"{traces}/{name}.hamming.npy", f"{traces}/{name}.energy.npy"
        ess = json.loads(run(ebm, "bench", "--ess-of", h, e))["ess"]
        check(ess[h] == s["ess"]["hamming"] and ess[e] == s["ess"]["energy"],
              f"{tag} {name}: --ess-of of ebm's traces = its reported ESS ({ess[h]} / {s['ess']['hamming']})")
        p = json.loads(run(sys.executable, f"{peer_dir}/numpy_bench_ess.py", traces, peer_target, name, str(steps),
                           "5", f"{tag}-numpy-{name}"))
        scale = max(1.0, p["e_scale"])
        check(p["max_abs_dhamming_at_ebm_states"] == 0 and p["max_abs_dE_at_ebm_states"] <= 1e-5 * scale,
              f"{tag} {name}: the peer's statistic and energy at ebm's final states = ebm's (|dE| "
              f"{p['max_abs_dE_at_ebm_states']:.2g}, |E| up to {p['e_scale']:.3g})")
        th = np.load(f"{tag}-numpy-{name}.hamming.npy")
        check(th.shape == (steps, chains) and 0 <= th.min() and th.max() <= np.load(f"{traces}/x0.npy").shape[1],
              f"{tag} {name}: the peer's Hamming trace is steps x chains of distances")
        check(0 < p["acceptance"] <= 1 and p["dtype"] == "float32", f"{tag} {name}: acceptance {p['acceptance']:.3f}")
        if name == "dmala":
            check(p["step_size"] != 0.1, f"{tag} dmala: the peer adapted its step size ({p['step_size']:.3f})")
sys.exit(1 if failures else 0)
