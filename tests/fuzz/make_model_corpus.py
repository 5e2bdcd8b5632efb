#!/usr/bin/env python3
"""Writes the model-file fuzz corpus: two seeds the ebm tool wrote (a plain model and a training checkpoint) and
the reproducers of issue 10 items 2-5 and 7, made by editing a seed's JSON metadata or sections and recomputing
the CRC-32 (Boost's crc_32_type is zlib's CRC-32), as an attacker would:

    ebm train --data tests/fuzz/corpus/npy/seed-binary-8x6.npy --hidden 2 --epochs 1 --batch 4 --chains 2 --out ckpt.ebm
    ebm export --model ckpt.ebm --npy exp && ebm import --npy exp --out model.ebm
    python3 tests/fuzz/make_model_corpus.py model.ebm ckpt.ebm tests/fuzz/corpus/model_file

These are version-1 files (format version 1, a Bernoulli RBM only), written by ebm before model files held any
kind; ebm now writes version 2, so the files are kept as they are, and tests/unit/test_model_kinds.cpp records
the verdict the reader gives each. The version-2 seeds of every kind come from make_kind_corpus.py.

File layout (include/ebm/io/model_file.hpp): "EBMMODEL" | u32 version | u32 count | sections | u32 CRC-32, a
section being u32 name length | name | u64 length | bytes, all little-endian.
"""
import json
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from model_file_sections import read_sections, write_sections  # noqa: E402


def variant(data, meta_edit=None, raw_meta=None, section_edit=None):
    version, sections = read_sections(data)
    for s in sections:
        if s[0] == "meta":
            if raw_meta is not None:
                s[1] = raw_meta(s[1].decode()).encode()
            elif meta_edit is not None:
                meta = json.loads(s[1])
                meta_edit(meta)
                s[1] = json.dumps(meta).encode()
        if section_edit is not None:
            s[1] = section_edit(s[0], s[1])
    return write_sections(version, sections)


def set_meta(key, value):
    def edit(m):
        m[key] = value
    return edit


def set_state(key, value):
    def edit(m):
        m["training_state"][key] = value
    return edit


def raw_state(key, text):
    """Writes a value JSON cannot hold in Python's json (1e300 stays a float there, but 3.5 and NaN need text)."""
    def edit(meta_text):
        m = json.loads(meta_text)
        m["training_state"][key] = "@@"
        return json.dumps(m).replace('"@@"', text)
    return edit


def huge_section(data):
    """The first section's length set to 2^62, CRC recomputed."""
    raw = bytearray(data)
    (n,) = struct.unpack_from("<I", raw, 16)
    struct.pack_into("<Q", raw, 20 + n, 1 << 62)
    struct.pack_into("<I", raw, len(raw) - 4, zlib.crc32(bytes(raw[:-4])) & 0xFFFFFFFF)
    return bytes(raw)


def main():
    model, ckpt = (open(p, "rb").read() for p in sys.argv[1:3])
    out = sys.argv[3]
    nh = json.loads(dict(read_sections(model)[1])["meta"])["num_hidden"]
    # nv·nh + nv + nh = (nv + 1)·nh + nv: with nv = 7, nh + 2^61 gives the same count modulo 2^64, so the
    # params section of a 7 x 2 model fits a header that claims 2^61 + 2 hidden units.
    wrap_model = write_sections(1, [["meta", json.dumps({"kind": "bernoulli_rbm", "num_visible": 7, "num_hidden": 2 + (1 << 61),
                                                "scalar": "float32"}).encode()],
                           ["params", struct.pack("<23f", *[0.01 * k for k in range(23)])]])
    nan_chain = lambda name, body: (struct.pack("<f", float("nan")) + body[4:]) if name == "chains.v" else body
    two_chain = lambda name, body: (struct.pack("<f", 0.5) + body[4:]) if name == "chains.v" else body
    extra_stream = lambda name, body: body + body.split(b"\n")[0] + b"\n" if name == "rng.chains" else body
    fewer_streams = lambda name, body: b"\n".join(body.split(b"\n")[1:]) if name == "rng.chains" else body
    nan_ph = lambda name, body: (struct.pack("<f", float("nan")) + body[4:]) if name == "chains.ph" else body
    files = {
        "seed-model.ebm": model,
        "seed-checkpoint.ebm": ckpt,
        "repro-num-hidden-2e62.ebm": variant(model, set_meta("num_hidden", 1 << 62)),
        "repro-num-hidden-wraps.ebm": wrap_model,
        "repro-num-hidden-8.5.ebm": variant(model, raw_meta=lambda t: t.replace('"num_hidden": %d' % nh, '"num_hidden": 8.5')),
        "repro-num-visible-negative.ebm": variant(model, set_meta("num_visible", -3)),
        "repro-kind-number.ebm": variant(model, set_meta("kind", 7)),
        "repro-chains-2e63.ebm": variant(ckpt, set_state("chains", (1 << 63) - 1)),
        "repro-updates-2e63.ebm": variant(ckpt, set_state("updates", (1 << 63) - 1)),
        "repro-epoch-2e31.ebm": variant(ckpt, set_state("epoch", 1 << 31)),
        "repro-epoch-minus-1.ebm": variant(ckpt, set_state("epoch", -1)),
        "repro-epoch-2e40.ebm": variant(ckpt, set_state("epoch", 1 << 40)),
        "repro-epoch-3.5.ebm": variant(ckpt, raw_meta=raw_state("epoch", "3.5")),
        "repro-epoch-1e300.ebm": variant(ckpt, raw_meta=raw_state("epoch", "1e300")),
        "repro-epoch-string.ebm": variant(ckpt, set_state("epoch", "x")),
        "repro-chain-nan.ebm": variant(ckpt, section_edit=nan_chain),
        "repro-chain-not-binary.ebm": variant(ckpt, section_edit=two_chain),
        "repro-probability-nan.ebm": variant(ckpt, section_edit=nan_ph),
        "repro-extra-stream.ebm": variant(ckpt, section_edit=extra_stream),
        "repro-too-few-streams.ebm": variant(ckpt, section_edit=fewer_streams),
        "repro-training-state-array.ebm": variant(ckpt, set_meta("training_state", [1, 2])),
        "repro-bad-crc.ebm": model[:-1] + bytes([model[-1] ^ 1]),
        "repro-truncated.ebm": model[:100],
        "repro-section-length-huge.ebm": huge_section(model),
    }
    os.makedirs(out, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    # The 100,000-deep array (item 2) is 200 kB: it goes beside the corpus, replayed by the same test.
    deep = variant(model, raw_meta=lambda t: t[:-1] + ', "deep": ' + "[" * 100000 + "]" * 100000 + "}")
    with open(os.path.join(out, "repro-json-depth-100000.ebm"), "wb") as f:
        f.write(deep)


if __name__ == "__main__":
    main()
