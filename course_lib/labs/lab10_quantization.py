"""Checks of lab 10_quantization (the lesson's module: `course_lib.quantize`): absmax and zero-point codes, the way
back, int4 packing, group-wise int4 and the GPTQ column update. Hand-written, not exported: the library holds only
what a practitioner imports."""

from __future__ import annotations
import torch
from course_lib.quantize import (
    dequantize,
    gptq_quantize,
    group_params,
    pack_int4,
    quantize_absmax,
    quantize_groupwise,
    quantize_zeropoint,
    unpack_int4,
)


def _fields(q) -> list:
    "What a lab compares of a QTensor: codes, scales, zero points, and the format (bits, shape, groups, packing)."
    return [q.q, q.scale, q.zero, q.bits, list(q.shape), q.group_size, q.packed]


def _two(res) -> list:
    "A (scale, zero) pair as a list."
    scale, zero = res
    return [scale, zero]


def _randn(*shape, seed: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) * scale


def _hessian(n_in: int, seed: int, dead: tuple = ()) -> torch.Tensor:
    "2 X^T X / n of correlated random inputs (columns in `dead` always 0), float32."
    X = _randn(64, n_in, seed=seed) @ (torch.eye(n_in) + 0.5 * _randn(n_in, n_in, seed=seed + 1))
    X[:, list(dead)] = 0
    return 2 * X.T @ X / len(X)


def _weights():
    "The fixed inputs of the checks (seeded)."
    w = _randn(4, 6, seed=10)
    v = torch.rand(3, 8, generator=torch.Generator().manual_seed(11)) * 2 + 0.5
    zrow = torch.cat([torch.zeros(1, 6), _randn(2, 6, seed=12)])
    cube = _randn(2, 3, 4, seed=13)
    codes = torch.randint(0, 16, (3, 8), generator=torch.Generator().manual_seed(14), dtype=torch.uint8)
    wide = _randn(6, 32, seed=15, scale=0.05)
    wide[1, 3] = 0.9  # an outlier in one group
    wide[2, 8:16] = 0.0  # an all-zero group
    wide[4, :] = wide[4, :].abs() + 0.01  # an all-positive row
    return w, v, zrow, cube, codes, wide


def lab_checks() -> list:
    "The checks of lab 10 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case

    w, v, zrow, cube, codes, wide = _weights()
    g8 = wide.reshape(6, 4, 8)
    w16, H16, Hdead = _randn(8, 16, seed=20, scale=0.1), _hessian(16, 21), _hessian(16, 23, dead=(2, 9))
    w32, H32 = _randn(12, 32, seed=30, scale=0.1), _hessian(32, 31)
    bad_bits = "bits"
    return [
        Check(
            "quantize_absmax",
            quantize_absmax,
            points=2,
            tol=1e-6,
            output=_fields,
            dtype="exact",
            hint="symmetric: the largest |w| of each slice maps to the largest positive code; codes are int8, "
            "scales float32 with kept dims",
            cases=[
                Case("8 bits, one scale", (w,)),
                Case("8 bits, per row (dim=0)", (w, 8, 0)),
                Case("4 bits, per column (dim=1)", (w, 4, 1)),
                Case("3 bits, a row of zeros, per row", (zrow, 3, 0)),
                Case("a 3-d tensor, per index of the last dim (dim=-1)", (cube, 8, -1)),
                Case("bits=9 is refused", (w, 9), raises="ValueError", match=bad_bits),
                Case("bits=1 is refused", (w, 1), raises="ValueError", match=bad_bits),
            ],
        ),
        Check(
            "quantize_zeropoint",
            quantize_zeropoint,
            points=2,
            tol=1e-6,
            output=_fields,
            dtype="exact",
            hint="asymmetric: the range (widened to include 0) maps onto all 2**bits codes; codes and zero points "
            "are uint8 integers",
            cases=[
                Case("8 bits, one scale", (w,)),
                Case("8 bits, per row", (w, 8, 0)),
                Case("4 bits, per column", (w, 4, 1)),
                Case("all-positive values, 3 bits per row", (v, 3, 0)),
                Case("a row of zeros, 2 bits per row", (zrow, 2, 0)),
                Case("bits=0 is refused", (w, 0), raises="ValueError", match=bad_bits),
                Case("bits=16 is refused", (v, 16), raises="ValueError", match=bad_bits),
            ],
        ),
        Check(
            "dequantize",
            dequantize,
            points=2,
            tol=1e-6,
            dtype="exact",
            hint="integers to float first, then subtract the zero point (if any), multiply by the scale; grouped "
            "codes are unpacked and viewed as (rows, groups, group_size) first; float32 in the original shape",
            cases=[
                Case("absmax per row", (quantize_absmax(w, 8, 0),)),
                Case("zero-point per column (zero points near 255)", (quantize_zeropoint(-v, 8, 1),)),
                Case("group-wise 4-bit, packed", (quantize_groupwise(wide, 4, 8),)),
                Case("group-wise 3-bit, not packed", (quantize_groupwise(wide, 3, 16),)),
            ],
        ),
        Check(
            "pack_int4",
            pack_int4,
            points=1,
            dtype="exact",
            hint="adjacent pairs along the last dim share a byte, the first of each pair in the low nibble; uint8",
            cases=[
                Case("[1, 2, 3, 4]", (torch.tensor([1, 2, 3, 4], dtype=torch.uint8),)),
                Case("a 3 x 8 matrix of codes", (codes,)),
                Case("codes given as int64", (codes.long()[:, :4],)),
                Case(
                    "an odd length is refused",
                    (torch.tensor([1, 2, 3], dtype=torch.uint8),),
                    raises="ValueError",
                    match="even",
                ),
                Case(
                    "a code above 15 is refused",
                    (torch.tensor([1, 16], dtype=torch.uint8),),
                    raises="ValueError",
                    match="15",
                ),
            ],
        ),
        Check(
            "unpack_int4",
            unpack_int4,
            points=1,
            dtype="exact",
            hint="the low nibble is the first code of the pair, the high nibble the second; they alternate",
            cases=[
                Case("[33, 67]", (torch.tensor([33, 67], dtype=torch.uint8),)),
                Case("a packed 3 x 4 matrix", (pack_int4(codes),)),
                Case("a packed 2 x 3 x 2 tensor", (pack_int4(codes.reshape(2, 3, 4)),)),
            ],
        ),
        Check(
            "group_params",
            group_params,
            points=2,
            tol=1e-6,
            output=_two,
            dtype="exact",
            hint="each group's range includes 0; its step is at least 1e-6; the fp16 step must not be smaller than "
            "the exact one (or the range no longer fits); the zero point comes from the stored fp16 step",
            cases=[
                Case("4 bits, 6 rows x 4 groups of 8", (g8, 4)),
                Case("3 bits, groups of 16", (wide.reshape(6, 2, 16), 3)),
                Case("8 bits, one group per row", (wide, 8)),
                Case("an all-zero group", (torch.zeros(2, 1, 4), 4)),
            ],
        ),
        Check(
            "quantize_groupwise",
            quantize_groupwise,
            points=2,
            tol=1e-6,
            output=_fields,
            dtype="exact",
            hint="groups are runs of group_size weights along each row; 4-bit codes are packed, other widths not",
            cases=[
                Case("4 bits, groups of 8", (wide, 4, 8)),
                Case("4 bits, groups of 16", (wide, 4, 16)),
                Case("3 bits, groups of 8 (not packed)", (wide, 3, 8)),
                Case("8 bits, one group per row", (w, 8, 6)),
                Case("group_size=5 does not divide 32", (wide, 4, 5), raises="ValueError", match="group_size"),
                Case("bits=12 is refused", (wide, 12, 8), raises="ValueError", match=bad_bits),
            ],
        ),
        Check(
            "gptq_quantize",
            gptq_quantize,
            points=3,
            tol=1e-6,
            output=_fields,
            dtype="exact",
            timeout=60,
            hint="column by column, in float64: the error of each rounded column, over its diagonal entry of the upper "
            "Cholesky factor of the damped inverse Hessian, is spread onto the later columns; each group's "
            "parameters come from the updated columns",
            cases=[
                Case("8 x 16, 4 bits, groups of 8", (w16, H16, 4, 8)),
                Case("an identity Hessian, no damping: round to nearest", (w16, torch.eye(16), 4, 8, 0.0)),
                Case("3 bits, groups of 16", (w16, H16, 3, 16)),
                Case("two inputs that are always 0", (w16, Hdead, 4, 8)),
                Case("group_size=6 does not divide 16", (w16, H16, 4, 6), raises="ValueError", match="group_size"),
            ],
        ),
        Check(
            "quantize_absmax (hidden)",
            quantize_absmax,
            points=1,
            tol=1e-6,
            hidden=True,
            func="quantize_absmax",
            output=_fields,
            dtype="exact",
            hint="per index along dim 1 of a 3-d tensor",
            cases=[
                Case("2 bits, a 3-d tensor, dim=1", (cube, 2, 1)),
                Case("bits=100 is refused", (w, 100), raises="ValueError", match=bad_bits),
            ],
        ),
        Check(
            "quantize_zeropoint (hidden)",
            quantize_zeropoint,
            points=1,
            tol=1e-6,
            hidden=True,
            func="quantize_zeropoint",
            output=_fields,
            dtype="exact",
            hint="the range must include 0",
            cases=[Case("2 bits, one scale", (v, 2)), Case("all-negative values, per row", (-v, 5, 0))],
        ),
        Check(
            "gptq_quantize (hidden)",
            gptq_quantize,
            points=1,
            tol=1e-6,
            hidden=True,
            func="gptq_quantize",
            output=_fields,
            dtype="exact",
            hint="a wider layer, 4 bits, two groups",
            cases=[Case("12 x 32, groups of 16", (w32, H32, 4, 16)), Case("damping 0.1", (w32, H32, 4, 32, 0.1))],
        ),
    ]
