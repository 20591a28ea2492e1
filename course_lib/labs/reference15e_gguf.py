"""The reference solutions of lab 15e_gguf (Q8_0 and Q4_0 bytes and back, a GGUF file's metadata from its bytes), kept
apart from the checks in `lab15e_gguf.py`. Hand-written, not exported: the lesson (`course_lib.gguf_export`) writes
GGUF files but never reads or dequantizes one. Each reference asks the `gguf` package (llama.cpp's own Python code)
and must agree with it: the quantizers with the lesson's byte for byte, the metadata reader with `gguf.GGUFReader`."""
from __future__ import annotations
import math, struct, tempfile
from pathlib import Path
import numpy as np
from course_lib import gguf_export as lesson

BLOCK = 32
BLOCK_BYTES = {"q8_0": 2 + BLOCK, "q4_0": 2 + BLOCK // 2}  # an fp16 scale, then 32 int8 or 32 four-bit codes
SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}  # struct codes
STRING, ARRAY = 8, 9


def gguf_module():
    "The `gguf` package (llama.cpp's Python code), imported on first use."
    import gguf  # the ecosystem extra; imported when a check runs, not when course_lib.labs is listed
    return gguf


def _quantize(x, kind:str) -> bytes:
    "gguf's bytes of x as `kind`; they must equal the lesson's (which also refuses rows not made of blocks of 32)."
    ours = lesson.encode_tensor(x, kind)[1]
    gguf = gguf_module()
    theirs = gguf.quants.quantize(np.asarray(x, np.float32), gguf.GGMLQuantizationType[kind.upper()]).tobytes()
    if ours != theirs: raise AssertionError(f"course_lib.gguf_export and gguf disagree on {kind}: a bug to report")
    return theirs


def quantize_q8_0(x) -> bytes:
    "Q8_0 bytes of a float32 array (last dim a multiple of 32): per block an fp16 scale, then 32 int8."
    return _quantize(x, "q8_0")


def quantize_q4_0(x) -> bytes:
    "Q4_0 bytes of a float32 array: per block an fp16 scale, then 16 bytes of two 4-bit codes each."
    return _quantize(x, "q4_0")


def _dequantize(data:bytes, shape, kind:str) -> np.ndarray:
    "The float32 array of `shape` that `data` (Q8_0 or Q4_0 bytes) stands for, decoded by gguf."
    shape = tuple(int(s) for s in shape)
    if not shape or shape[-1] % BLOCK:
        raise ValueError(f"shape {shape}: the last dimension must be a multiple of {BLOCK}")
    want = math.prod(shape) // BLOCK * BLOCK_BYTES[kind]
    if len(data) != want:
        raise ValueError(f"got {len(data)} bytes, but a {kind} tensor of shape {shape} takes {want} bytes")
    gguf = gguf_module()
    raw = np.frombuffer(bytes(data), np.uint8).reshape(*shape[:-1], -1)
    return gguf.quants.dequantize(raw, gguf.GGMLQuantizationType[kind.upper()]).reshape(shape).astype(np.float32)


def dequantize_q8_0(data:bytes, shape) -> np.ndarray:
    "The float32 numbers of Q8_0 bytes, in `shape`: scale times code."
    return _dequantize(data, shape, "q8_0")


def dequantize_q4_0(data:bytes, shape) -> np.ndarray:
    "The float32 numbers of Q4_0 bytes, in `shape`: scale times (code - 8)."
    return _dequantize(data, shape, "q4_0")


def parse_metadata(data:bytes) -> dict:
    "GGUF metadata {key: value} parsed from the file's bytes (little-endian, version 3)."
    if bytes(data[:4]) != b"GGUF": raise ValueError(f"not a GGUF file: it starts with {bytes(data[:4])!r}, not b'GGUF'")
    pos = 4

    def take(n:int) -> bytes:
        nonlocal pos
        if pos + n > len(data): raise ValueError(f"the file is truncated: {n} bytes wanted at byte {pos}")
        pos += n
        return bytes(data[pos - n:pos])

    def read(fmt): return struct.unpack("<" + fmt, take(struct.calcsize("<" + fmt)))[0]
    def string(): return take(read("Q")).decode("utf-8")

    def value(t):
        if t == STRING: return string()
        if t == ARRAY:
            item_type, n = read("I"), read("Q")
            return [value(item_type) for _ in range(n)]
        if t not in SCALARS: raise ValueError(f"unknown value type {t} at byte {pos - 4}")
        return read(SCALARS[t])

    version = read("I")
    if version != 3: raise ValueError(f"GGUF version {version}: only version 3 is read here")
    _n_tensors, n_kv = read("Q"), read("Q")
    out = {}
    for _ in range(n_kv):
        key = string()
        out[key] = value(read("I"))
    return out


def read_metadata(data:bytes) -> dict:
    "A GGUF file's metadata {key: value}, from its bytes; equal to what gguf.GGUFReader reads."
    out = parse_metadata(data)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "file.gguf"
        path.write_bytes(bytes(data))
        reader = gguf_module().GGUFReader(path)
        theirs = {k: f.contents() for k, f in reader.fields.items() if not k.startswith("GGUF.")}
        del reader  # its memory map holds the file open
    if out != theirs: raise AssertionError("the lab's metadata reader and gguf.GGUFReader disagree: a bug to report")
    return out
