"""A straightforward numpy checkerboard Gibbs sampler for a Potts grid CRF: the peer of bench_crf's
sweep/checkerboard case (64 x 64 grid, 11 labels, 32 chains, float32).

All chains and all sites of one colour are updated as one array operation: the local energies
e[l] = U(s, l) + w * #{neighbours t : y_t != l} from one-hot neighbour counts, then one inverse-CDF draw per
site. Energies, exponentials, cumulative sums and uniforms in float32, as in ebm.
Arguments: side labels chains sweeps repeats seed
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


def sweep(y):
    for mask in colour:
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
print(json.dumps({"seconds": statistics.median(times), "dtype": "float32", "blas": describe()}))
