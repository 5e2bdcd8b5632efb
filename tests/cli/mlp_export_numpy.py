#!/usr/bin/env python3
"""`ebm export --npy` of an MLP energy, evaluated by numpy with the formula of README.md ("MLP energies as NumPy
files"), against ebm's own energies; and `ebm import --npy` of the export gives the same model bit for bit.

    mlp_export_numpy.py EBM MLP_MODEL_TOOL WORK_DIR      (exit 77, "skipped", when numpy is not installed)
"""
import json
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("numpy is not installed: skipped")
    sys.exit(77)

ebm, tool, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
os.chdir(work)


def run(*args, fail_ok=False):
    r = subprocess.run(list(args), capture_output=True, text=True)
    if r.returncode != 0 and not fail_ok:
        sys.exit(f"FAIL: {' '.join(args)} exited with {r.returncode}: {r.stderr}")
    return r


# ---- the README's evaluation, verbatim ----
def energy(folder, x):
    meta = json.load(open(f"{folder}/meta.json"))
    act = {"softplus": lambda z: np.logaddexp(0, z), "swish": lambda z: z / (1 + np.exp(-z))}[meta["activation"]]
    L = len(meta["layers"]) - 1
    h = x
    for l in range(L):
        h = h @ np.load(f"{folder}/W{l}.npy") + np.load(f"{folder}/b{l}.npy")
        if l < L - 1:
            h = act(h)
    e = h[:, 0]
    if meta["base_term"]:
        e = e - x @ np.load(f"{folder}/base.npy")
    return e
# ----


failures = 0
for act in ("softplus", "swish"):
    for base in ("0", "1"):
        name = f"{act}-base{base}"
        run(tool, "make", f"{name}.ebm", f"{name}-x.npy", f"{name}-e.npy", act, base)
        for dtype in ("float32", "float64"):
            out = f"{name}-{dtype}"
            run(ebm, "export", "--model", f"{name}.ebm", "--npy", out, "--dtype", dtype)
            meta = json.load(open(f"{out}/meta.json"))
            assert meta["kind"] == "mlp_energy" and meta["layers"] == [6, 5, 4, 1], meta
            assert meta["activation"] == act and meta["base_term"] == (base == "1"), meta
            assert os.path.exists(f"{out}/base.npy") == (base == "1")
            x = np.load(f"{name}-x.npy")
            want = np.load(f"{name}-e.npy")
            got = energy(out, x.astype(np.float64))
            # ebm evaluated the same float32 weights in double: only the order of the sums differs.
            err = np.max(np.abs(got - want) / (1 + np.abs(want)))
            if not err < 1e-12:
                print(f"FAIL: {out}: numpy and ebm energies differ by {err:.3g} (relative)")
                failures += 1
            else:
                print(f"{out}: numpy = ebm to {err:.2g} over {len(x)} inputs, E in [{want.min():.3g}, {want.max():.3g}]")
            run(ebm, "import", "--npy", out, "--out", f"{out}-back.ebm")
            if run(tool, "same", f"{name}.ebm", f"{out}-back.ebm", fail_ok=True).returncode != 0:
                print(f"FAIL: import(export({name}.ebm)) as {dtype} is not the same model")
                failures += 1

# Crafted exports are refused with one line naming the file and field, status 1.
def refused(want, folder):
    global failures
    r = run(ebm, "import", "--npy", folder, "--out", "bad.ebm", fail_ok=True)
    if r.returncode != 1 or want not in r.stderr:
        print(f"FAIL: import of {folder}: status {r.returncode}, stderr {r.stderr!r}, wanted {want!r}")
        failures += 1

src = "swish-base1-float32"
def variant(tag, edit_meta=None, remove=None):
    d = f"bad-{tag}"
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(src, d)
    if edit_meta:
        m = json.load(open(f"{d}/meta.json"))
        edit_meta(m)
        json.dump(m, open(f"{d}/meta.json", "w"))
    if remove:
        os.remove(f"{d}/{remove}")
    return d

refused("activation = 'relu' is not one of 'softplus', 'swish'", variant("act", lambda m: m.update(activation="relu")))
refused("W1.npy has shape 5 x 4; layers in meta.json make 5 x 3", variant("layers", lambda m: m.update(layers=[6, 5, 3, 1])))
refused("layers end with 4", variant("last", lambda m: m.update(layers=[6, 5, 4])))
refused("cannot open", variant("missing", remove="W2.npy"))
refused("base.npy", variant("nobase", remove="base.npy"))
refused("kind = 'bernoulli_rbm' is not mlp_energy", variant("kind", lambda m: m.update(kind="bernoulli_rbm")))
refused("layers = [6] must be an array of 3 to", variant("short", lambda m: m.update(layers=[6])))
bad = variant("nan")
np.save(f"{bad}/b0.npy", np.array([0, np.nan, 0, 0, 0], dtype=np.float32))
refused("is nan", bad)

if failures:
    sys.exit(f"{failures} failure(s)")
print("MLP export: numpy agrees with ebm; import(export(m)) == m bit for bit")
