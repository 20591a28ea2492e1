"""Checks of lab 10_quantization (the lesson's module: `course_lib.quantize`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
import torch
from course_lib.quantize import dequantize, pack_int4, quantize_absmax, quantize_zeropoint, unpack_int4

def _q_fields(q) -> list:
    "What a lab compares of a QTensor: codes, scales, zero points."
    return [q.q, q.scale, q.zero]

def lab_checks() -> list:
    "The checks of lab 10 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    g = torch.Generator().manual_seed(10)
    w, v = torch.randn(4, 6, generator=g), torch.rand(3, 8, generator=g) * 2 + 0.5
    codes = torch.randint(0, 16, (3, 8), generator=g, dtype=torch.uint8)
    return [
        Check("quantize_absmax", quantize_absmax, points=2, tol=1e-6, output=_q_fields,
              hint="qmax = 2**(bits-1) - 1; scale = max|w| / qmax (over every dim but `dim`, keepdim); q = round(w / scale).clamp(-qmax, qmax) as int8",
              cases=[Case("8 bits, one scale", (w,)), Case("8 bits, per row (dim=0)", (w, 8, 0)), Case("4 bits, per column (dim=1)", (w, 4, 1))]),
        Check("quantize_zeropoint", quantize_zeropoint, points=2, tol=1e-6, output=_q_fields,
              hint="lo = min(w, 0), hi = max(w, 0); scale = (hi - lo) / (2**bits - 1); zero = round(-lo / scale); q = round(w / scale) + zero, clamped to 0..2**bits-1, uint8",
              cases=[Case("8 bits, one scale", (w,)), Case("8 bits, per row", (w, 8, 0)), Case("4 bits, per column", (w, 4, 1))]),
        Check("dequantize", dequantize, points=1, tol=1e-6, hint="scale * (q - zero), with zero = 0 when it is None; float32, the original shape",
              cases=[Case("absmax per row", (quantize_absmax(w, 8, 0),)), Case("zero-point per column", (quantize_zeropoint(w, 4, 1),))]),
        Check("pack_int4", pack_int4, points=1, hint="even positions in the low nibble, odd ones shifted left by 4, OR-ed together; uint8",
              cases=[Case("[1, 2, 3, 4]", (torch.tensor([1, 2, 3, 4], dtype=torch.uint8),)), Case("a 3 x 8 matrix of codes", (codes,))]),
        Check("unpack_int4", unpack_int4, points=1, hint="b & 15 is the first code, b >> 4 the second; interleave them along the last dim",
              cases=[Case("[33, 67]", (torch.tensor([33, 67], dtype=torch.uint8),)), Case("a packed 3 x 4 matrix", (pack_int4(codes),))]),
        Check("quantize_zeropoint (hidden)", quantize_zeropoint, points=1, tol=1e-6, hidden=True, func="quantize_zeropoint", output=_q_fields,
              hint="the range must include 0", cases=[Case("all-positive values, 3 bits per row", (v, 3, 0)), Case("2 bits, one scale", (v, 2))]),
    ]
