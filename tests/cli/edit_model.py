#!/usr/bin/env python3
"""Rewrites an .ebm model file as an attacker (or a careless script) would, with a recomputed CRC-32, so that
ebm's own checks, not the checksum, must catch the change. Used by run_cli_tests.sh.

usage: edit_model.py IN OUT EDIT...
  PATH=JSON               set a metadata field: training_state.epoch=2147483648, training.k='"x"'
  PATH=-                  delete it
  deep=N                  replace the metadata by N nested arrays
  float:SECTION:K=VALUE   set float32 entry K of a section (nan and inf allowed)
  stream+ | stream-       append a copy of the last chain stream | drop the last one
"""
import json
import struct
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from model_file_sections import read_sections, write_sections  # noqa: E402


def main(src, dst, *edits):
    version, sections = read_sections(open(src, "rb").read())
    sec = {name: i for i, (name, _) in enumerate(sections)}
    meta = json.loads(sections[sec["meta"]][1])
    raw_meta = None
    for edit in edits:
        if edit in ("stream+", "stream-"):
            lines = sections[sec["rng.chains"]][1].split(b"\n")[:-1]
            lines = lines + lines[-1:] if edit == "stream+" else lines[:-1]
            sections[sec["rng.chains"]][1] = b"".join(line + b"\n" for line in lines)
            continue
        key, value = edit.split("=", 1)
        if key == "deep":
            raw_meta = "[" * int(value) + "]" * int(value)
        elif key.startswith("float:"):
            _, name, k = key.split(":")
            body = bytearray(sections[sec[name]][1])
            struct.pack_into("<f", body, 4 * int(k), float(value))
            sections[sec[name]][1] = bytes(body)
        else:
            *parents, leaf = key.split(".")
            obj = meta
            for p in parents:
                obj = obj[p]
            if value == "-":
                del obj[leaf]
            else:
                obj[leaf] = json.loads(value)
    sections[sec["meta"]][1] = (raw_meta if raw_meta is not None else json.dumps(meta)).encode()
    open(dst, "wb").write(write_sections(version, sections))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
