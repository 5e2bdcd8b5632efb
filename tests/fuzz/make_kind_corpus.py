#!/usr/bin/env python3
"""Writes the version-2 seeds of the model-file fuzz corpus, one small file per model kind (with a training
state of a kernel other than block Gibbs where it fits), and a few crafted variants of them that the reader
must refuse. Pure Python (no ebm needed), so the seeds are reproducible from this file alone:

    python3 tests/fuzz/make_kind_corpus.py tests/fuzz/corpus/model_file

Layout: include/ebm/io/model_file.hpp; the kinds' fields: include/ebm/io/model_codecs.hpp.
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from model_file_sections import write_sections  # noqa: E402


def floats(values):
    return struct.pack("<%df" % len(values), *values)


def streams(n, seed):
    """n mt19937 states as ebm writes them: one line of 624 words below 2^32 each."""
    lines = []
    for s in range(n):
        words = [((seed + s) * 1000003 + k * 2654435761) % (1 << 32) for k in range(624)]
        lines.append(" ".join(map(str, words)) + "\n")
    return "".join(lines).encode()


def model_file(meta, params, training=None):
    """training: dict with epoch, updates, counters, chains {name: (rows, cols, values)}, streams {name: n},
    optimizer (kind, steps, {name: values}), state {name: values}."""
    sections = [["params", floats(params)]]
    if training is not None:
        ts = {"epoch": training["epoch"], "updates": training["updates"], "chains": {}}
        if training.get("counters"):
            ts["counters"] = training["counters"]
        for name, (rows, cols, values) in training["chains"].items():
            ts["chains"][name] = [rows, cols]
            sections.append(["chains." + name, floats(values)])
        for k, (name, n) in enumerate(training["streams"].items()):
            sections.append(["rng." + name, streams(n, 7 * k + 1)])
        if "optimizer" in training:
            kind, steps, vectors = training["optimizer"]
            ts["optimizer"] = {"kind": kind, "steps": steps}
            for name, values in vectors.items():
                sections.append(["optimizer." + name, floats(values)])
        for name, values in training.get("state", {}).items():
            sections.append(["state." + name, floats(values)])
        meta = dict(meta, training_state=ts)
    meta = dict(meta, scalar="float32")
    sections.append(["meta", json.dumps(meta, indent=2).encode()])
    return write_sections(2, sorted(sections))


def ramp(n, lo=-1.0, hi=1.0):
    return [lo + (hi - lo) * k / max(n - 1, 1) for k in range(n)]


def main():
    out = sys.argv[1]
    mlp_meta = {"kind": "mlp_energy", "layers": [4, 3, 1], "activation": "swish",
                "base_term": True, "base_logits": [-1.5, 0.25, 0.0, 2.0]}
    mlp_np = 4 * 3 + 3 * 1 + 3 + 1
    mlp_training = {"epoch": 2, "updates": 6, "counters": {"buffer_restarts": 3},
                    "chains": {"x": (3, 4, [k % 2 for k in range(12)]), "energy": (3, 1, [0.5, -0.25, 1.0])},
                    "streams": {"chains": 3, "shuffle": 1},
                    "optimizer": ("adam", 6, {"m": ramp(mlp_np, -0.1, 0.1), "v": ramp(mlp_np, 0.0, 0.01)}),
                    "state": {"dmala.step_size": [0.5]}}
    gb_meta = {"kind": "gaussian_bernoulli_rbm", "num_visible": 3, "num_hidden": 2, "sigma": [1.0, 0.5, 2.0]}
    gb_training = {"epoch": 1, "updates": 4,
                   "chains": {"v": (2, 3, [0.5, -1.25, 2.0, 0.0, 3.5, -0.75]), "h": (2, 2, [0, 1, 1, 0]),
                              "ph": (2, 2, [0.25, 0.75, 0.5, 0.125])},
                   "streams": {"chains": 2, "shuffle": 1},
                   "optimizer": ("sgd", 4, {"velocity": ramp(11, -0.05, 0.05)})}
    crf_meta = {"kind": "grid_crf", "height": 3, "width": 4, "labels": 3, "patch_radius": 1, "pool": 1,
                "pooled_radius": 0, "unary": "mlp", "unary_hidden": 2, "pairwise": "full"}
    crf_np = 2 * 9 + 3 * 2 + 2 + 3 + 3 * 3
    crf_training = {"epoch": 1, "updates": 2, "chains": {"y": (2, 12, [k % 3 for k in range(24)])},
                    "streams": {"chains": 2, "shuffle": 1}, "optimizer": ("sgd", 2, {"velocity": [0.0] * crf_np})}

    mlp = model_file(mlp_meta, ramp(mlp_np), mlp_training)
    gb = model_file(gb_meta, ramp(11), gb_training)
    crf = model_file(crf_meta, ramp(crf_np), crf_training)

    def edited(meta, params, training, **changes):
        return model_file(dict(meta, **changes), params, training)

    files = {
        "seed-v2-mlp-base-checkpoint.ebm": mlp,
        "seed-v2-mlp.ebm": model_file({"kind": "mlp_energy", "layers": [3, 2, 2, 1], "activation": "softplus",
                                       "base_term": False}, ramp(6 + 4 + 2 + 2 + 2 + 1)),
        "seed-v2-gbrbm-checkpoint.ebm": gb,
        "seed-v2-crf-checkpoint.ebm": crf,
        "seed-v2-crf-linear.ebm": model_file(dict(crf_meta, unary="linear", pairwise="potts", pool=2, pooled_radius=1),
                                             ramp(3 * 18 + 3 + 1)),
        "repro-v2-mlp-layers-overflow.ebm": edited(mlp_meta, ramp(mlp_np), mlp_training, layers=[1 << 62, 4, 1]),
        "repro-v2-mlp-activation.ebm": edited(mlp_meta, ramp(mlp_np), mlp_training, activation="relu"),
        "repro-v2-mlp-base-null.ebm": edited(mlp_meta, ramp(mlp_np), mlp_training, base_logits=[0, None, 0, 0]),
        "repro-v2-gbrbm-sigma-negative.ebm": edited(gb_meta, ramp(11), gb_training, sigma=[1.0, -0.5, 2.0]),
        "repro-v2-crf-sites-2e80.ebm": edited(crf_meta, ramp(crf_np), crf_training, height=1 << 40, width=1 << 40),
        "repro-v2-crf-label-range.ebm": model_file(crf_meta, ramp(crf_np),
                                                   dict(crf_training, chains={"y": (2, 12, [7] * 24)})),
        "repro-v2-mlp-params-nan.ebm": model_file(mlp_meta, [float("nan")] + ramp(mlp_np - 1), mlp_training),
    }
    os.makedirs(out, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
