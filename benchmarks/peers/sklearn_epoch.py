"""One epoch of scikit-learn's BernoulliRBM (the peer of `ebm train`) on a binary .npy matrix.

BernoulliRBM.fit is PCD-1 with batch_size persistent chains (h_samples_, started at zeros): per minibatch the
data's hidden means, one Gibbs step of the chains (v ~ p(v|h), then E[h|v]), the two outer products, plain SGD
at a constant rate, then h ~ p(h|v) for the next update. No momentum, no weight decay, no monitoring
(verbose=0). It computes in the dtype of its input: float32 here unless `float64` is given.

Arguments: data.npy hidden batch seed [float32|float64]
Prints one JSON line: fit seconds (data loading excluded), dtype of components_, the BLAS it ran on.
"""
import json
import sys
import time

import numpy as np
from sklearn.neural_network import BernoulliRBM

from blas_info import describe

dtype = np.dtype(sys.argv[5] if len(sys.argv) > 5 else "float32")
data = np.ascontiguousarray(np.load(sys.argv[1]), dtype=dtype)
hidden, batch, seed = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rbm = BernoulliRBM(n_components=hidden, batch_size=batch, learning_rate=0.05, n_iter=1, random_state=seed)
t0 = time.perf_counter()
rbm.fit(data)
seconds = time.perf_counter() - t0
# The comparison is only fair if scikit-learn kept the input's precision (it does since 0.23 for float32).
assert rbm.components_.dtype == dtype, f"components_ is {rbm.components_.dtype}, expected {dtype}"
print(json.dumps({"seconds": round(seconds, 4), "dtype": str(rbm.components_.dtype), "blas": describe()}))
