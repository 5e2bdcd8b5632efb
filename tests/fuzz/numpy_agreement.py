#!/usr/bin/env python3
"""Checks that ebm reads the .npy files of the corpus as numpy does: a file ebm reads, numpy reads as the same
array (shape and bits; a 1-D array of n is ebm's n x 1, float32 is widened to float64); a file numpy refuses,
ebm refuses. ebm may refuse files numpy reads (duplicate keys, bytes after the data: see src/npy_header.hpp).

    numpy_agreement.py NPY_VERDICT CORPUS_DIR      (exit 77, "skipped", when numpy is not installed)
"""
import os
import struct
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("numpy is not installed: skipped")
    sys.exit(77)

verdict_tool, corpus = sys.argv[1], sys.argv[2]
files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
out = subprocess.run([verdict_tool] + files, check=True, capture_output=True, text=True).stdout.splitlines()
ebm = {}
for line in out:
    path, verdict, rest = line.split(" ", 2)
    ebm[path] = (verdict, rest)

bad = 0
counts = {"both read": 0, "both refuse": 0, "only numpy reads": 0}
for path in files:
    verdict, rest = ebm[path]
    try:
        a = np.load(path, allow_pickle=False)
        numpy_error = None
    except Exception as e:  # numpy raises ValueError, TypeError, MemoryError, EOFError, ...
        a, numpy_error = None, "%s: %s" % (type(e).__name__, str(e).splitlines()[0][:100])
    name = os.path.basename(path)
    if verdict == "ok":
        if a is None:
            print("DISAGREE %s: ebm reads it, numpy refuses (%s)" % (name, numpy_error))
            bad += 1
            continue
        fields = rest.split()
        rows, cols, bits = int(fields[0]), int(fields[1]), fields[2:]
        shape = (rows,) if a.ndim == 1 else (rows, cols)
        want = [struct.unpack("<Q", struct.pack("<d", float(x)))[0] for x in a.astype(np.float64).ravel()]
        got = [int(b, 16) for b in bits]
        if a.shape != shape or want != got:
            print("DISAGREE %s: ebm reads %s, numpy %s %s" % (name, shape, a.shape, a.dtype))
            bad += 1
        counts["both read"] += 1
    elif a is None:
        counts["both refuse"] += 1
    else:
        counts["only numpy reads"] += 1
        print("note: %s: numpy reads %s %s, ebm refuses: %s" % (name, a.shape, a.dtype, rest))
print("%d files: %s" % (len(files), ", ".join("%s %d" % kv for kv in counts.items())))
sys.exit(1 if bad else 0)
