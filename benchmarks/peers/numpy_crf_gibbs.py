"""A straightforward numpy checkerboard Gibbs sampler for a grid CRF: the peer of bench_crf's
sweep/checkerboard case (64 x 64 grid, 11 labels, 32 chains, float32), Potts or contrast pairwise.

All chains and all sites of one colour are updated as one array operation: the local energies
  potts     e[l] = U(s, l) + w * #{neighbours t : y_t != l}, from one-hot neighbour counts;
  contrast  e[l] = U(s, l) + sum over neighbours t of (T(l, y_t) + c_st * [l != y_t]), with an L x L table T
            and one coupling c_st per edge and chain (what ebm's contrast pairwise computes once per image in
            condition(), outside the sweep; the sweep is the same work on both sides),
then one inverse-CDF draw per site. Energies, exponentials, cumulative sums and uniforms in float32, as in ebm.
Arguments: side labels chains sweeps repeats seed [potts|contrast]
Prints one JSON line: the median CPU seconds per sweep of all chains over `repeats` timings of `sweeps` sweeps
each, the dtype of the energies, the BLAS numpy is linked to.
"""
import json
import statistics
import sys
import time

import numpy as np

from blas_info import describe

side, L, chains, sweeps, repeats, seed = (int(a) for a in sys.argv[1:7])
kind = sys.argv[7] if len(sys.argv) > 7 else "potts"
assert kind in ("potts", "contrast"), kind
rng = np.random.default_rng(seed)
w = np.float32(0.8)
U = rng.standard_normal((chains, side, side, L), dtype=np.float32)
y = rng.integers(0, L, size=(chains, side, side))
ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
colour = [(ii + jj) % 2 == c for c in (0, 1)]
eye = np.eye(L, dtype=np.float32)
# Number of neighbours of every site (2 at corners, 3 on edges, 4 inside).
deg = np.full((side, side), 4, dtype=np.float32)
deg[0, :] -= 1
deg[-1, :] -= 1
deg[:, 0] -= 1
deg[:, -1] -= 1
# Contrast: the table and positive per-edge couplings, right edges (side x side-1) and down edges (side-1 x side).
T = (0.1 * rng.standard_normal((L, L))).astype(np.float32)
T = (T + T.T) / 2
c_right = (0.5 + rng.random((chains, side, side - 1), dtype=np.float32))
c_down = (0.5 + rng.random((chains, side - 1, side), dtype=np.float32))
TT = np.ascontiguousarray(T.T)  # TT[b] is the row T(., b): the energies of every label beside label b


def contrast_pairwise(y):
    """sum over neighbours t of T(l, y_t) + c_st [l != y_t], for every site and label: chains x side x side x L."""
    onehot = eye[y]
    tab = TT[y]  # chains x side x side x L: T(l, y_s)
    e = np.zeros_like(onehot)
    # The neighbour to the left of (i, j) is (i, j-1), across the right edge of (i, j-1); and so on.
    e[:, :, 1:] += tab[:, :, :-1] + c_right[..., None] * (1 - onehot[:, :, :-1])
    e[:, :, :-1] += tab[:, :, 1:] + c_right[..., None] * (1 - onehot[:, :, 1:])
    e[:, 1:] += tab[:, :-1] + c_down[..., None] * (1 - onehot[:, :-1])
    e[:, :-1] += tab[:, 1:] + c_down[..., None] * (1 - onehot[:, 1:])
    return e


def sweep(y):
    for mask in colour:
        if kind == "contrast":
            e = U[:, mask] + contrast_pairwise(y)[:, mask]
        else:
            onehot = eye[y]  # chains x side x side x L
            same = np.zeros_like(onehot)
            same[:, 1:] += onehot[:, :-1]
            same[:, :-1] += onehot[:, 1:]
            same[:, :, 1:] += onehot[:, :, :-1]
            same[:, :, :-1] += onehot[:, :, 1:]
            e = U[:, mask] + w * (deg[mask][None, :, None] - same[:, mask])  # chains x sites/2 x L
        assert e.dtype == np.float32, f"energies are {e.dtype}"
        p = np.exp(-(e - e.min(axis=-1, keepdims=True)))
        c = np.cumsum(p, axis=-1)
        u = rng.random(c.shape[:-1], dtype=np.float32)[..., None] * c[..., -1:]
        y[:, mask] = np.minimum((c <= u).sum(axis=-1), L - 1)
    return y


sweep(y)
times = []
for _ in range(repeats):
    t0 = time.process_time()
    for _ in range(sweeps):
        y = sweep(y)
    times.append((time.process_time() - t0) / sweeps)
print(json.dumps({"seconds": statistics.median(times), "dtype": "float32", "pairwise": kind, "blas": describe()}))
