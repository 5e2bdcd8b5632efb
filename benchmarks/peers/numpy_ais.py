"""A straightforward numpy AIS for a Bernoulli RBM (Salakhutdinov & Murray 2008): the peer of `ebm eval`.

Same base-rate model and the same default schedule shape as ebm (500 betas in [0, 0.5), 4,000 in [0.5, 0.9),
10,000 in [0.9, 1]); all runs as one batch, dense products. The precision is ebm's: products, pre-activations,
softplus terms and draws in float32 (ebm eval runs a float RBM), each step's log-weight increment added to a
float64 sum (ebm sums them in double).
Arguments: W.npy b.npy c.npy base_bias.npy runs num_betas seed
Prints one JSON line: seconds, log Z, the dtype of the products, the BLAS it ran on.
"""
import json
import sys
import time

import numpy as np

from blas_info import describe

W, b, c, ba = (np.load(p).astype(np.float32) for p in sys.argv[1:5])
runs, K, seed = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
rng = np.random.default_rng(seed)
knots_x = np.array([0, 500, 4500, 14499]) / 14499.0
betas = np.interp(np.arange(K) / (K - 1), knots_x, [0.0, 0.5, 0.9, 1.0]).astype(np.float32)


def softplus(x):
    return np.logaddexp(0, x)


t0 = time.perf_counter()
v = (rng.random((runs, W.shape[0]), dtype=np.float32) < 1 / (1 + np.exp(-ba))).astype(np.float32)
logw = np.zeros(runs)
gap = b - ba
for k in range(1, K):
    # log p*_k(v) - log p*_{k-1}(v), sharing x = c + vW with the transition (two products per step)
    x = v @ W + c
    logw += (betas[k] - betas[k - 1]) * (v @ gap) + (softplus(betas[k] * x) - softplus(betas[k - 1] * x)).sum(axis=1)
    ph = 1 / (1 + np.exp(-betas[k] * x))
    h = (rng.random(ph.shape, dtype=np.float32) < ph).astype(np.float32)
    pv = 1 / (1 + np.exp(-((1 - betas[k]) * ba + betas[k] * (h @ W.T + b))))
    v = (rng.random(pv.shape, dtype=np.float32) < pv).astype(np.float32)
assert x.dtype == np.float32 and pv.dtype == np.float32 and v.dtype == np.float32, "a step left float32"
log_za = W.shape[1] * np.log(2) + softplus(ba).sum()
m = logw.max()
log_z = log_za + m + np.log(np.mean(np.exp(logw - m)))
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": round(seconds, 4), "log_z": round(float(log_z), 4), "dtype": str(x.dtype),
                  "blas": describe()}))
