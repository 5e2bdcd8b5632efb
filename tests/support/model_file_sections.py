"""The .ebm container as bytes, for scripts that craft model files the way an attacker would (a recomputed
CRC-32, so that ebm's own field checks must catch the change, not the checksum). Shared by
tests/cli/edit_model.py and tests/fuzz/make_model_corpus.py.

Layout (include/ebm/io/model_file.hpp), little-endian: "EBMMODEL" | u32 version | u32 count | sections |
u32 CRC-32 of everything before it; a section is u32 name length | name | u64 length | bytes.
zlib's CRC-32 is Boost's crc_32_type.
"""
import struct
import zlib


def read_sections(data):
    """(version, [[name, bytes], ...]) of a model file's bytes."""
    assert data[:8] == b"EBMMODEL", "not a model file"
    version, count = struct.unpack_from("<II", data, 8)
    pos, sections = 16, []
    for _ in range(count):
        (n,) = struct.unpack_from("<I", data, pos)
        name = data[pos + 4 : pos + 4 + n].decode()
        pos += 4 + n
        (length,) = struct.unpack_from("<Q", data, pos)
        sections.append([name, data[pos + 8 : pos + 8 + length]])
        pos += 8 + length
    return version, sections


def write_sections(version, sections):
    """The bytes of a model file with these sections and a valid CRC-32."""
    out = b"EBMMODEL" + struct.pack("<II", version, len(sections))
    for name, body in sections:
        out += struct.pack("<I", len(name)) + name.encode() + struct.pack("<Q", len(body)) + body
    return out + struct.pack("<I", zlib.crc32(out) & 0xFFFFFFFF)
