"""Checks of lab 15e_gguf (the lesson's module: `course_lib.gguf_export`): Q8_0 and Q4_0 block quantization and their
way back, byte for byte against the `gguf` package (llama.cpp's own Python code) and the lesson's quantizers, and a
GGUF file's metadata read from its bytes, against `gguf.GGUFReader`. Hand-written, not exported: the library holds
only what a practitioner imports. The lesson writes GGUF files but never reads or dequantizes one, so the references
live beside these checks, in `reference15e_gguf.py`."""
from __future__ import annotations
import struct, tempfile
from pathlib import Path
import numpy as np
from course_lib import gguf_export as lesson
from course_lib.core import asset_path
from course_lib.labs.reference15e_gguf import (BLOCK, BLOCK_BYTES, dequantize_q4_0, dequantize_q8_0, gguf_module,
                                               parse_metadata, quantize_q4_0, quantize_q8_0, read_metadata)


# --- the inputs of the checks ----------------------------------------------------------------------------------------
def _normal(*shape, seed:int, scale:float=1.0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def _per_block_scales(rows:int, cols:int, seed:int) -> np.ndarray:
    "Normal numbers whose blocks of 32 have scales from 1e-3 to 1e3: one scale per row would be wrong everywhere."
    exponents = np.random.default_rng(seed + 1).uniform(-3, 3, (rows, cols // BLOCK, 1)).astype(np.float32)
    scales = np.float32(10) ** exponents
    return (_normal(rows, cols // BLOCK, BLOCK, seed=seed) * scales).reshape(rows, cols)


def _ties(biggest:float, seed:int) -> np.ndarray:
    "One block whose scale is exactly 1 (its largest magnitude is `biggest`), the rest halves k + 0.5 of both signs."
    rng = np.random.default_rng(seed)
    halves = (rng.integers(-7, 7, BLOCK) + 0.5).astype(np.float32)
    halves[:4] = [0.5, -0.5, 1.5, -2.5]
    halves[5] = np.float32(0.49999997)  # the float32 just below 1/2: floor(x + 0.5) gives 1, rounding gives 0
    halves[17] = biggest
    return halves


def _signed_max_blocks(seed:int) -> np.ndarray:
    "Blocks whose largest magnitude is negative, positive, and both (+m and -m in either order: the first counts)."
    b = _normal(4, BLOCK, seed=seed, scale=0.5)
    b[0, 9], b[1, 20] = -3.0, 3.0
    b[2, 3], b[2, 30] = 2.0, -2.0
    b[3, 4], b[3, 25] = -2.0, 2.0
    return b.reshape(2, 2 * BLOCK)


def _zero_blocks(seed:int) -> np.ndarray:
    b = _normal(3, 2 * BLOCK, seed=seed)
    b[0, :BLOCK], b[2] = 0, 0
    return b


def _random_codes(kind:str, n_blocks:int, seed:int) -> bytes:
    "Random Q8_0/Q4_0 bytes: every code value (-128 too), with finite fp16 scales of both signs."
    rng = np.random.default_rng(seed)
    scales = (rng.standard_normal((n_blocks, 1)) * 0.05).astype("<f2").view(np.uint8)
    codes = rng.integers(0, 256, (n_blocks, BLOCK_BYTES[kind] - 2), dtype=np.uint8)
    return np.concatenate([scales, codes], axis=1).tobytes()


def _handbook_weight(name:str="model.layers.0.mlp.down_proj.weight") -> np.ndarray:
    from safetensors.numpy import load_file
    return load_file(asset_path("handbook-tiny/model.safetensors"))[name]


def _writer_bytes(fill) -> bytes:
    "The bytes of a GGUF file that gguf.GGUFWriter writes after `fill(writer)` (no tensors)."
    gguf = gguf_module()
    with tempfile.TemporaryDirectory() as d:
        w = gguf.GGUFWriter(Path(d) / "w.gguf", arch="llama")
        fill(w)
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.close()
        return (Path(d) / "w.gguf").read_bytes()


def _every_type(w):
    "One value of each scalar type gguf_bytes never writes, and arrays of floats and bools."
    w.add_uint8("t.u8", 200)
    w.add_int8("t.i8", -100)
    w.add_uint16("t.u16", 60000)
    w.add_int16("t.i16", -30000)
    w.add_uint64("t.u64", 2**40 + 3)
    w.add_int64("t.i64", -(2**40))
    w.add_float64("t.f64", 0.1)
    w.add_array("t.floats", [0.5, -1.25, 3e-8])
    w.add_array("t.bools", [True, False, True])


def _model_header(folder:str="handbook-tiny", kind:str="q8_0") -> bytes:
    "A GGUF file with a model's whole metadata (llama.* and tokenizer.*) and its first tensor, from the lesson's code."
    config, weights, tok, template = lesson.read_llama_folder(asset_path(folder))
    meta = lesson.llama_metadata(config, kind, folder) | lesson.tokenizer_metadata(tok, config, template)
    w = weights["model.embed_tokens.weight"]
    return lesson.gguf_bytes(meta, {"token_embd.weight": (w.shape, *lesson.encode_tensor(w, kind))})


def _metadata_files() -> dict:
    "{description: file bytes} of the read_metadata cases."
    tensor = {"x": ((2, BLOCK), 0, np.arange(2 * BLOCK, dtype="<f4").tobytes())}
    return {
        "one uint32 entry and one tensor": lesson.gguf_bytes({"demo.answer": 42}, tensor),
        "strings: UTF-8 beyond ASCII, and an empty one": lesson.gguf_bytes(
            {"general.name": "naïve café 東京", "a.empty": "", "a.bpe": "Ġthe\nĊ"}, {}),
        "float32 values and bools": lesson.gguf_bytes(
            {"llama.rope.freq_base": 10000.0, "x.eps": 1e-5, "x.yes": True, "x.no": False, "x.n": 7}, tensor),
        "arrays of strings and of int32 (negative ones too)": lesson.gguf_bytes(
            {"t.tokens": ["a", "Ġb", "", "東"], "t.ids": [1, -2, 2**31 - 1, -(2**31)], "t.after": "end"}, {}),
        "every other scalar type, and arrays of floats and bools (gguf.GGUFWriter)": _writer_bytes(_every_type),
        "handbook-tiny's whole header: llama.* and the tokenizer": _model_header(),
    }


def _broken_files() -> list:
    "(description, bytes, the error's fragment) of files read_metadata must refuse with a ValueError."
    good = lesson.gguf_bytes({"demo.answer": 42, "demo.name": "tiny"}, {})
    unpadded = len(good.rstrip(b"\0"))  # the header is padded to 32 bytes: cut inside "tiny", not the padding
    odd = good[:16] + struct.pack("<Q", 1) + lesson.pack_string("x.odd") + struct.pack("<II", 13, 1)
    return [("the magic is not GGUF", b"GGML" + good[4:], "GGUF"),
            ("version 2", good[:4] + struct.pack("<I", 2) + good[8:], "version"),
            ("a file cut short inside a string", good[:unpadded - 2], "truncated"),
            ("value type 13 does not exist", odd, "type")]


def _hidden_arrays() -> list:
    "(description, array) of the hidden quantization cases: real weights, heavy tails, large numbers, fp16's largest."
    rng = np.random.default_rng(40)
    big = _normal(8, 64, seed=41, scale=1e4)
    big[3, 7] = 65504.0  # fp16's largest number
    heavy = rng.standard_t(2, (64, 256)).astype(np.float32)
    return [("handbook-tiny's layer 0 down_proj (192 x 512)", _handbook_weight()),
            ("heavy tails (Student's t, 2 degrees of freedom), 64 x 256", heavy),
            ("large numbers (up to 65504)", big),
            ("a 1-d row of 96 numbers", _normal(96, seed=42, scale=3.0))]


def _quantize_cases(Case, ties_max:float, seed:int) -> list:
    "The visible cases of quantize_q8_0 / quantize_q4_0 (ties_max: the largest magnitude that makes the scale 1)."
    return [Case("one block of 32 normal numbers", (_normal(BLOCK, seed=seed),)),
            Case("a 4 x 128 matrix whose blocks have scales from 1e-3 to 1e3", (_per_block_scales(4, 128, seed + 1),)),
            Case(f"halves k + 0.5 of both signs in a block whose scale is exactly 1 ({ties_max:g} in it)",
                 (_ties(ties_max, seed + 2),)),
            Case("blocks whose largest magnitude is negative, positive, and both (+m and -m)",
                 (_signed_max_blocks(seed + 3),)),
            Case("all-zero blocks next to normal ones", (_zero_blocks(seed + 4),)),
            Case("tiny numbers (1e-8): the scale is below fp16's smallest",
                 (_normal(2, 64, seed=seed + 5, scale=1e-8),)),
            Case("a (2, 3, 64) array", (_normal(2, 3, 64, seed=seed + 6),)),
            Case("rows of 40 numbers are refused", (np.zeros((2, 40), np.float32),), raises="ValueError", match="32")]


def _dequantize_cases(Case, kind:str, quantize, seed:int) -> list:
    x = _normal(2, 3, 64, seed=seed)
    return [Case("one block (your quantizer's bytes of 32 normal numbers)", (quantize(_normal(BLOCK, seed=seed + 1)),
                                                                          (BLOCK,))),
            Case("random bytes: every code, scales of both signs, shape (2, 128)",
                 (_random_codes(kind, 8, seed + 2), (2, 128))),
            Case("a (2, 3, 64) tensor", (quantize(x), (2, 3, 64))),
            Case("one byte too many is refused", (quantize(x) + b"\0", (2, 3, 64)), raises="ValueError", match="bytes"),
            Case("a last dimension of 40 is refused", (bytes(5 * BLOCK_BYTES[kind]), (4, 40)), raises="ValueError",
                 match="32")]


def _quantize_checks(Check, Case, kind:str, ref, seed:int) -> list:
    gguf = gguf_module()
    lesson_fn = {"q8_0": lesson.quantize_q8_0, "q4_0": lesson.quantize_q4_0}[kind]
    forbid = (ref, lesson_fn, lesson.encode_tensor, lesson.round_half_away, gguf.quants.quantize,
              getattr(gguf.quants, kind.upper()), gguf.quants.np_roundf)
    name, ties = f"quantize_{kind}", {"q8_0": 127.0, "q4_0": -8.0}[kind]
    hint = {"q8_0": "per block of 32: d = max|x| / 127 in float32, codes x * (1/d) rounded with halves away from zero "
                    "(all codes 0 where d is 0); each block is d as little-endian fp16, then its 32 int8 codes",
            "q4_0": "per block: d = (the number of largest magnitude, with its sign; the first one on ties) / -8, "
                    "codes trunc(x * (1/d) + 8.5) clipped to 0..15; d as little-endian fp16, then byte j holds code j "
                    "(low 4 bits) and code j + 16 (high 4 bits)"}[kind]
    hidden = [Case(desc, (a,)) for desc, a in _hidden_arrays()]
    return [Check(name, ref, _quantize_cases(Case, ties, seed), points=3, hint=hint, forbid=forbid),
            Check(f"{name} (hidden)", ref, hidden, points=1, hidden=True, func=name, hint=hint, forbid=forbid)]


def _dequantize_check(Check, Case, kind:str, ref, seed:int):
    gguf = gguf_module()
    hint = {"q8_0": "each block of 34 bytes: an fp16 scale (little-endian), then 32 signed codes; a number is "
                    "scale * code",
            "q4_0": "each block of 18 bytes: an fp16 scale, then 16 bytes; byte j holds code j in its low 4 bits and "
                    "code j + 16 in its high 4 bits; number = scale * (code - 8)"}[kind]
    quantize = {"q8_0": quantize_q8_0, "q4_0": quantize_q4_0}[kind]
    return Check(f"dequantize_{kind}", ref, _dequantize_cases(Case, kind, quantize, seed), points=2, dtype="exact",
                 hint=hint + "; a float32 array of the given shape",
                 forbid=(ref, gguf.quants.dequantize, getattr(gguf.quants, kind.upper())))


def _metadata_checks(Check, Case) -> list:
    gguf = gguf_module()
    forbid = (read_metadata, parse_metadata, gguf.GGUFReader)
    hint = ("little-endian; after the magic: version (uint32), tensor count and entry count (uint64); each entry is a "
            "string key, a uint32 type and a value; a string is a uint64 byte count and UTF-8; an array is its item "
            "type (uint32), its length (uint64) and the items")
    cases = [Case(desc, (data,)) for desc, data in _metadata_files().items()]
    cases += [Case(desc, (data,), raises="ValueError", match=match) for desc, data, match in _broken_files()]
    hidden = [Case("handbook-tiny-sft's whole header, its chat template too", (_model_header("handbook-tiny-sft"),))]
    return [Check("read_metadata", read_metadata, cases, points=3, hint=hint, forbid=forbid),
            Check("read_metadata (hidden)", read_metadata, hidden, points=1, hidden=True, func="read_metadata",
                  hint=hint, forbid=forbid)]


def lab_checks() -> list:
    "The checks of lab 15e (see `course_lib.grading`)."
    from course_lib.grading import Case, Check
    return [*_quantize_checks(Check, Case, "q8_0", quantize_q8_0, seed=1),
            _dequantize_check(Check, Case, "q8_0", dequantize_q8_0, seed=20),
            *_quantize_checks(Check, Case, "q4_0", quantize_q4_0, seed=30),
            _dequantize_check(Check, Case, "q4_0", dequantize_q4_0, seed=50),
            *_metadata_checks(Check, Case)]
