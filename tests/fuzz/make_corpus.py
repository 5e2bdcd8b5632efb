#!/usr/bin/env python3
"""Writes the committed fuzz corpus of the .npy and IDX loaders: small valid seeds and one file per reproducer
(issue 10 item 6, and what fuzzing found). Run from the repository root:

    python3 tests/fuzz/make_corpus.py tests/fuzz/corpus

The model-file corpus (tests/fuzz/corpus/model_file) is made by `make_model_corpus.py` from files the ebm tool
writes. Files named by a 40-digit hash are libFuzzer's: inputs of a scripts/fuzz run that added coverage, kept by
`build-fuzz/tests/fuzz/fuzz_<loader> -merge=1 tests/fuzz/corpus/<loader> build-fuzz/fuzz-corpus/<loader>`. Names say what a file is: seed-* are valid, repro-* must be refused with an ebm::Error (or, for the
data-level ones, be refused by `--data`); the replay test (fuzz-corpus:<loader>) only checks that nothing crashes
and that the file and in-memory readers agree, the unit tests check the messages.
"""
import os
import struct
import sys

F8_2x3 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"


def npy(header, data=b"", major=1, minor=0, pad=True):
    """magic | version | header length | header | data; padded as numpy pads when pad is set."""
    h = header.encode("latin1")
    width = 2 if major == 1 else 4
    if pad:
        h += b" "
        while (8 + width + len(h) + 1) % 64:
            h += b" "
        h += b"\n"
    length = struct.pack("<H", len(h)) if width == 2 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([major, minor]) + length + h + data


def f8(*v):
    return struct.pack("<%dd" % len(v), *v)


def f4(*v):
    return struct.pack("<%df" % len(v), *v)


def idx(type_code, dims, data=b""):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data


def header(shape, descr="<f8", fortran="False"):
    return "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)


def npy_files():
    d6 = f8(1, 2, 3, 4, 5, 6)
    binary = f8(*[(r * 7 + c * 3) % 2 for r in range(8) for c in range(6)])
    return {
        "seed-f8-2x3.npy": npy(F8_2x3, f8(0.1, 0.2, 0.3, 0.4, 0.5, 0.6)),
        "seed-f4-vector.npy": npy(header("(4,)", "<f4"), f4(0, 0.25, 0.5, 1)),
        "seed-fortran-2x3.npy": npy(header("(2, 3)", fortran="True"), f8(0, 1, 0, 1, 1, 0)),
        "seed-binary-8x6.npy": npy(header("(8, 6)"), binary),
        "seed-v2-f8.npy": npy(F8_2x3, d6, major=2),
        "seed-v3-f4.npy": npy(header("(2, 3)", "<f4"), f4(1, 0, 1, 0, 1, 0), major=3),
        "seed-unpadded-comment.npy": npy("{'descr': '<f8', # c\n'fortran_order': False, 'shape': (1, 2)}", f8(0, 1), pad=False),
        "seed-python2-long.npy": npy(header("(2L, 3L)"), d6),
        "repro-duplicate-shape.npy": npy("{'shape': (3, 2), " + F8_2x3[1:], d6),
        "repro-duplicate-descr.npy": npy("{'descr': '<f4', " + F8_2x3[1:], d6),
        "repro-duplicate-fortran-order.npy": npy("{'fortran_order': True, " + F8_2x3[1:], d6),
        "repro-f8-inside-other-key.npy": npy("{'note': \"'descr': '<f8'\", 'descr': '<i8', 'fortran_order': False, 'shape': (2, 3)}", d6),
        "repro-f8-inside-descr-string.npy": npy("{'descr': \"<i8 'descr': '<f8'\", 'fortran_order': False, 'shape': (2, 3)}", d6),
        "repro-version-1.1.npy": npy(F8_2x3, d6, major=1, minor=1),
        "repro-nul-padding.npy": npy(F8_2x3 + "\0" * 3 + "\n", d6, pad=False),
        "repro-garbage-padding.npy": npy(F8_2x3 + " xx\n", d6, pad=False),
        "repro-shape-2e40x64.npy": npy(header("(1099511627776, 64)"), d6),
        "repro-shape-20-digits.npy": npy(header("(123456789012345678901, 3)"), d6),
        "repro-shape-overflow.npy": npy(header("(4294967296, 4294967296)"), d6),
        "repro-shape-0x64.npy": npy(header("(0, 64)")),
        "repro-shape-200x0.npy": npy(header("(200, 0)")),
        "repro-shape-not-tuple.npy": npy(header("(6)"), d6),
        "repro-shape-true.npy": npy(header("(True, 6)"), d6),
        "repro-header-too-long.npy": npy(F8_2x3 + " " * 10050, d6, pad=False),
        "repro-truncated-data.npy": npy(F8_2x3, d6[:-1]),
        "repro-trailing-bytes.npy": npy(F8_2x3, d6 + b"x"),
        "seed-big-endian-f4.npy": npy(header("(2, 2)", ">f4"), struct.pack(">4f", 0, 0.5, 1, 0.25)),
        "repro-native-order-descr.npy": npy(header("(2, 3)", "f8"), d6),
        "repro-nan.npy": npy(header("(1, 2)"), f8(float("nan"), 0)),
        "repro-outside-0-1.npy": npy(header("(1, 2)"), f8(2, 0)),
    }


def idx_files():
    return {
        "seed-images-3x2x2.idx": idx(8, [3, 2, 2], bytes(range(0, 240, 20))),
        "seed-labels-3.idx": idx(8, [3], bytes([7, 0, 9])),
        "seed-matrix-2x3.idx": idx(8, [2, 3], bytes(6)),
        "repro-dims-wrap-2e64.idx": idx(8, [1 << 17, 1 << 16, 1 << 31]),
        "repro-dims-huge.idx": idx(8, [60000, 28, 28], b"abc"),
        "repro-truncated.idx": idx(8, [3, 2, 2], bytes(11)),
        "repro-trailing.idx": idx(8, [3], bytes(4)),
        "repro-type-float.idx": idx(0x0D, [2], bytes(8)),
        "repro-zero-dim.idx": idx(8, [2, 0, 3]),
        "repro-five-dims.idx": bytes([0, 0, 8, 5]) + struct.pack(">5I", 1, 1, 1, 1, 1) + b"x",
        "repro-short-header.idx": bytes([0, 0, 8, 3, 0, 0]),
    }


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus"
    for loader, files in (("npy", npy_files()), ("idx", idx_files())):
        os.makedirs(os.path.join(root, loader), exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(root, loader, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
