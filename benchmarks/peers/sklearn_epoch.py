"""One epoch of scikit-learn's BernoulliRBM (PCD-1, the peer of `ebm train`) on a binary .npy matrix.

Prints the fit time in seconds (data loading excluded), so the caller can compare it with ebm's epoch time.
"""
import sys
import time

import numpy as np
from sklearn.neural_network import BernoulliRBM

data = np.load(sys.argv[1]).astype(np.float64)  # sklearn's own dtype handling; float64 is what it computes in
hidden, batch, seed = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rbm = BernoulliRBM(n_components=hidden, batch_size=batch, learning_rate=0.05, n_iter=1, random_state=seed)
t0 = time.perf_counter()
rbm.fit(data)
print(f"{time.perf_counter() - t0:.4f}")
