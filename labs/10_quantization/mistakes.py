# Plausible wrong answers to lab 10. Each runs in the kernel that ran the solution (it sees its globals) and must
# lose visible points of its exercise. `mistake` is injected by the grader.

# --- quantize_absmax ----------------------------------------------------------------------------------------------
@mistake("quantize_absmax")
def float_codes_not_int8(w, bits=8, dim=None):
    "Keeps the rounded codes as float32 instead of int8."
    check_bits(bits)
    qmax = 2 ** (bits - 1) - 1
    scale = (reduce_except(w.abs().float(), dim, torch.amax) / qmax).clamp(min=1e-12)
    return QTensor(torch.round(w.float() / scale).clamp(-qmax, qmax), scale, None, bits, tuple(w.shape))


@mistake("quantize_absmax")
def qmax_off_by_one(w, bits=8, dim=None):
    "Uses 2**(bits-1) as the largest code (128 does not fit in int8; 4 bits get 8 instead of 7)."
    check_bits(bits)
    qmax = 2 ** (bits - 1)
    scale = (reduce_except(w.abs().float(), dim, torch.amax) / qmax).clamp(min=1e-12)
    q = torch.round(w.float() / scale).clamp(-qmax, qmax - 1).to(torch.int8)
    return QTensor(q, scale, None, bits, tuple(w.shape))


@mistake("quantize_absmax")
def ignores_dim(w, bits=8, dim=None):
    "Always one scale for the whole tensor."
    return _absmax_one_scale(w, bits)


def _absmax_one_scale(w, bits):
    check_bits(bits)
    qmax = 2 ** (bits - 1) - 1
    scale = (w.abs().float().amax() / qmax).clamp(min=1e-12).reshape([1] * w.dim())
    return QTensor(torch.round(w.float() / scale).clamp(-qmax, qmax).to(torch.int8), scale, None, bits, tuple(w.shape))


@mistake("quantize_absmax")
def truncates_not_rounds(w, bits=8, dim=None):
    "Truncates w / scale toward zero instead of rounding to nearest."
    check_bits(bits)
    qmax = 2 ** (bits - 1) - 1
    scale = (reduce_except(w.abs().float(), dim, torch.amax) / qmax).clamp(min=1e-12)
    return QTensor(torch.trunc(w.float() / scale).clamp(-qmax, qmax).to(torch.int8), scale, None, bits, tuple(w.shape))


@mistake("quantize_absmax")
def no_validation(w, bits=8, dim=None):
    "Accepts any bits."
    qmax = 2 ** (bits - 1) - 1
    scale = (reduce_except(w.abs().float(), dim, torch.amax) / qmax).clamp(min=1e-12)
    return QTensor(torch.round(w.float() / scale).clamp(-qmax, qmax).to(torch.int8), scale, None, bits, tuple(w.shape))


# --- quantize_zeropoint -------------------------------------------------------------------------------------------
def _zp(w, bits, dim, widen=True, qmax=None, code_dtype=torch.uint8, round_zero=True, validate=True):
    "The zero-point quantizer with one thing changed."
    if validate:
        check_bits(bits)
    qmax = 2**bits - 1 if qmax is None else qmax
    lo, hi = reduce_except(w.float(), dim, torch.amin), reduce_except(w.float(), dim, torch.amax)
    if widen:
        lo, hi = lo.clamp(max=0), hi.clamp(min=0)
    scale = ((hi - lo) / qmax).clamp(min=1e-12)
    zero = -lo / scale
    zero = torch.round(zero).clamp(0, qmax) if round_zero else zero
    q = (torch.round(w.float() / scale) + zero).clamp(0, qmax).to(code_dtype)
    return QTensor(q, scale, zero.to(torch.uint8) if round_zero else zero, bits, tuple(w.shape))


@mistake("quantize_zeropoint")
def range_not_widened_to_zero(w, bits=8, dim=None):
    "Maps [min, max] without including 0, so all-positive values get the wrong zero point."
    return _zp(w, bits, dim, widen=False)


@mistake("quantize_zeropoint")
def codes_int8_not_uint8(w, bits=8, dim=None):
    "Stores the unsigned codes as int8 (codes above 127 wrap)."
    return _zp(w, bits, dim, code_dtype=torch.int8)


@mistake("quantize_zeropoint")
def zero_point_not_rounded(w, bits=8, dim=None):
    "Keeps the zero point as an unrounded float."
    return _zp(w, bits, dim, round_zero=False)


@mistake("quantize_zeropoint")
def signed_code_range(w, bits=8, dim=None):
    "Uses the signed range's 2**(bits-1) - 1 steps instead of 2**bits - 1."
    return _zp(w, bits, dim, qmax=2 ** (bits - 1) - 1)


@mistake("quantize_zeropoint")
def no_validation_zp(w, bits=8, dim=None):
    "Accepts any bits."
    return _zp(w, bits, dim, validate=False)


# --- dequantize ---------------------------------------------------------------------------------------------------
@mistake("dequantize")
def uint8_wraparound(q):
    "Subtracts the zero point in uint8 arithmetic, before converting to float."
    codes = unpack_int4(q.q) if q.packed else q.q
    if q.group_size:
        codes = codes.reshape(q.shape[0], -1, q.group_size)
    x = (codes - q.zero).float() if q.zero is not None else codes.float()
    return (x * q.scale.float()).reshape(q.shape)


@mistake("dequantize")
def ignores_zero_point(q):
    "Forgets to subtract the zero point."
    x = (unpack_int4(q.q) if q.packed else q.q).float()
    if q.group_size:
        x = x.reshape(q.shape[0], -1, q.group_size)
    return (x * q.scale.float()).reshape(q.shape)


@mistake("dequantize")
def packed_not_unpacked(q):
    "Reads packed bytes as if they were codes."
    x = q.q.float()
    if q.group_size:
        x = x.reshape(q.shape[0], -1, q.group_size)
    if q.zero is not None:
        x = x - q.zero.float()
    return (x * q.scale.float()).reshape(q.shape)


@mistake("dequantize")
def scales_tiled_not_repeated(q):
    "Expands the group scales by tiling the row of scales instead of repeating each one group_size times."
    x = (unpack_int4(q.q) if q.packed else q.q).float()
    if q.group_size:
        zero = q.zero.float().reshape(q.shape[0], -1).repeat(1, q.group_size) if q.zero is not None else 0
        return (x - zero) * q.scale.float().reshape(q.shape[0], -1).repeat(1, q.group_size)
    if q.zero is not None:
        x = x - q.zero.float()
    return (x * q.scale.float()).reshape(q.shape)


@mistake("dequantize")
def returns_float64(q):
    "Returns float64 instead of float32."
    x = (unpack_int4(q.q) if q.packed else q.q).double()
    if q.group_size:
        x = x.reshape(q.shape[0], -1, q.group_size)
    if q.zero is not None:
        x = x - q.zero.double()
    return (x * q.scale.double()).reshape(q.shape)


# --- pack_int4 / unpack_int4 --------------------------------------------------------------------------------------
def _check_codes(x):
    if x.shape[-1] % 2:
        raise ValueError("pack_int4 needs an even length")
    if x.numel() and (x.min() < 0 or x.max() > 15):
        raise ValueError("codes must be in 0..15")


@mistake("pack_int4")
def high_nibble_first(x):
    "Puts the first code of a pair in the high nibble."
    _check_codes(x)
    x = x.to(torch.uint8)
    return (x[..., 0::2] << 4) | x[..., 1::2]


@mistake("pack_int4")
def halves_not_pairs(x):
    "Pairs the first half of the row with the second half instead of adjacent codes."
    _check_codes(x)
    x = x.to(torch.uint8)
    n = x.shape[-1] // 2
    return x[..., :n] | (x[..., n:] << 4)


@mistake("pack_int4")
def keeps_input_dtype(x):
    "Packs in the input's dtype (int64 in, int64 out)."
    _check_codes(x)
    return x[..., 0::2] | (x[..., 1::2] << 4)


@mistake("pack_int4")
def no_validation_pack(x):
    "Packs odd lengths and codes above 15 without complaint."
    x = x.to(torch.uint8)
    if x.shape[-1] % 2:
        x = torch.cat([x, torch.zeros_like(x[..., :1])], -1)
    return x[..., 0::2] | (x[..., 1::2] << 4)


@mistake("unpack_int4")
def unpack_high_first(b):
    "Takes the high nibble as the first code."
    return torch.stack([b >> 4, b & 0x0F], dim=-1).reshape(*b.shape[:-1], 2 * b.shape[-1])


@mistake("unpack_int4")
def concatenates_not_interleaves(b):
    "Puts all low nibbles, then all high nibbles, instead of alternating them."
    return torch.cat([b & 0x0F, b >> 4], dim=-1)


@mistake("unpack_int4")
def flattens_leading_dims(b):
    "Returns a flat vector instead of the original shape."
    return torch.stack([b & 0x0F, b >> 4], dim=-1).reshape(-1)


# --- group_params -------------------------------------------------------------------------------------------------
def _gp(g, bits, round_up=True, half=True, widen=True, zero_from_exact=False, floor=1e-6):
    qmax = 2**bits - 1
    lo, hi = g.amin(-1, keepdim=True), g.amax(-1, keepdim=True)
    if widen:
        lo, hi = lo.clamp(max=0), hi.clamp(min=0)
    exact = (hi - lo) / qmax
    exact = exact.clamp(min=floor) if floor else exact
    scale = exact.half() if half else exact
    if half and round_up:
        scale = torch.where(scale.float() < exact, torch.nextafter(scale, torch.full_like(scale, float("inf"))), scale)
    zero = torch.round(-lo / (exact if zero_from_exact else scale.float())).clamp(0, qmax)
    return scale, zero


@mistake("group_params")
def fp16_rounded_to_nearest(g, bits):
    "Stores the nearest fp16 scale, sometimes below the exact step."
    return _gp(g, bits, round_up=False)


@mistake("group_params")
def scale_float32_not_fp16(g, bits):
    "Keeps the scale in float32."
    return _gp(g, bits, half=False)


@mistake("group_params")
def group_range_not_widened(g, bits):
    "Uses [min, max] of the group without including 0."
    return _gp(g, bits, widen=False)


@mistake("group_params")
def no_min_step(g, bits):
    "No lower bound on the step: an all-zero group divides by 0."
    return _gp(g, bits, floor=0)


# --- quantize_groupwise -------------------------------------------------------------------------------------------
@mistake("quantize_groupwise")
def groups_down_columns(w, bits=4, group_size=64):
    "Groups runs of group_size along the columns (dim 0) instead of along each row."
    check_bits(bits)
    check_group_size(w, group_size)
    g = w.float().T.reshape(w.shape[1], -1, group_size)
    scale, zero = group_params(g, bits)
    q = (torch.round(g / scale.float()) + zero).clamp(0, 2**bits - 1).to(torch.uint8).reshape(w.shape[1], -1).T
    q = q.contiguous().reshape(w.shape)
    return QTensor(
        pack_int4(q) if bits == 4 else q, scale, zero.to(torch.uint8), bits, tuple(w.shape), group_size, bits == 4
    )


@mistake("quantize_groupwise")
def never_packed(w, bits=4, group_size=64):
    "Leaves 4-bit codes one per byte."
    check_bits(bits)
    check_group_size(w, group_size)
    g = w.float().reshape(w.shape[0], -1, group_size)
    scale, zero = group_params(g, bits)
    q = (torch.round(g / scale.float()) + zero).clamp(0, 2**bits - 1).to(torch.uint8).reshape(w.shape)
    return QTensor(q, scale, zero.to(torch.uint8), bits, tuple(w.shape), group_size, False)


@mistake("quantize_groupwise")
def always_packed(w, bits=4, group_size=64):
    "Packs codes of every width as if they were 4-bit."
    check_bits(bits)
    check_group_size(w, group_size)
    g = w.float().reshape(w.shape[0], -1, group_size)
    scale, zero = group_params(g, bits)
    q = (torch.round(g / scale.float()) + zero).clamp(0, 2**bits - 1).to(torch.uint8).reshape(w.shape)
    return QTensor(pack_int4(q.clamp(max=15)), scale, zero.to(torch.uint8), bits, tuple(w.shape), group_size, True)


@mistake("quantize_groupwise")
def one_scale_per_row(w, bits=4, group_size=64):
    "Computes the scale of each row once and repeats it for every group."
    check_bits(bits)
    check_group_size(w, group_size)
    g = w.float().reshape(w.shape[0], -1, group_size)
    s_row, z_row = group_params(w.float()[:, None, :], bits)
    scale, zero = s_row.expand(-1, g.shape[1], -1).contiguous(), z_row.expand(-1, g.shape[1], -1).contiguous()
    q = (torch.round(g / scale.float()) + zero).clamp(0, 2**bits - 1).to(torch.uint8).reshape(w.shape)
    return QTensor(
        pack_int4(q) if bits == 4 else q, scale, zero.to(torch.uint8), bits, tuple(w.shape), group_size, bits == 4
    )


@mistake("quantize_groupwise")
def no_group_size_validation(w, bits=4, group_size=64):
    "Accepts a group size that does not divide the width (reshape fails with a RuntimeError)."
    check_bits(bits)
    g = w.float().reshape(w.shape[0], -1, group_size)
    scale, zero = group_params(g, bits)
    q = (torch.round(g / scale.float()) + zero).clamp(0, 2**bits - 1).to(torch.uint8).reshape(w.shape)
    return QTensor(
        pack_int4(q) if bits == 4 else q, scale, zero.to(torch.uint8), bits, tuple(w.shape), group_size, bits == 4
    )


# --- gptq_quantize ------------------------------------------------------------------------------------------------
def _gptq(
    w,
    H,
    bits,
    group_size,
    damp,
    feedback=True,
    divide=True,
    inverse=True,
    from_updated=True,
    fix_dead=True,
    dtype=torch.float64,
):
    "The GPTQ loop with one thing changed."
    check_bits(bits)
    check_group_size(w, group_size)
    W, H, W0 = w.to(dtype).clone(), H.to(dtype).clone(), w.to(dtype).clone()
    if fix_dead:
        dead = H.diagonal() == 0
        H[dead, dead] = 1
        W[:, dead] = 0
        W0[:, dead] = 0
    H += damp * H.diagonal().mean() * torch.eye(len(H), dtype=H.dtype)
    Hinv = torch.cholesky_inverse(torch.linalg.cholesky(H)) if inverse else H
    U = torch.linalg.cholesky(Hinv, upper=True)
    Q, scales, zeros = torch.empty(W.shape, dtype=torch.uint8), [], []
    for i in range(W.shape[1]):
        if i % group_size == 0:
            src = W if from_updated else W0
            s, z = group_params(src[:, i : i + group_size].float(), bits)
            scales.append(s)
            zeros.append(z)
            s, z = s.to(dtype).view(-1), z.to(dtype).view(-1)
        q = (torch.round(W[:, i] / s) + z).clamp(0, 2**bits - 1)
        Q[:, i] = q.to(torch.uint8)
        err = W[:, i] - (q - z) * s
        err = err / U[i, i] if divide else err
        if feedback:
            W[:, i + 1 :] -= err[:, None] * U[i, i + 1 :][None, :]
    scale, zero = torch.stack(scales, 1), torch.stack(zeros, 1).to(torch.uint8)
    return QTensor(pack_int4(Q) if bits == 4 else Q, scale, zero, bits, tuple(w.shape), group_size, bits == 4)


@mistake("gptq_quantize")
def no_error_feedback(w, H, bits=4, group_size=64, damp=0.01):
    "Rounds every column without spreading its error: plain round-to-nearest."
    return _gptq(w, H, bits, group_size, damp, feedback=False)


@mistake("gptq_quantize")
def error_not_divided_by_diagonal(w, H, bits=4, group_size=64, damp=0.01):
    "Spreads the raw rounding error, not the error over U[i, i]."
    return _gptq(w, H, bits, group_size, damp, divide=False)


@mistake("gptq_quantize")
def cholesky_of_H_not_inverse(w, H, bits=4, group_size=64, damp=0.01):
    "Uses the Cholesky factor of H itself instead of H's inverse."
    return _gptq(w, H, bits, group_size, damp, inverse=False)


@mistake("gptq_quantize")
def group_params_from_original_weights(w, H, bits=4, group_size=64, damp=0.01):
    "Chooses each group's scale from the original weights rather than the updated ones."
    return _gptq(w, H, bits, group_size, damp, from_updated=False)


@mistake("gptq_quantize")
def dead_inputs_not_handled(w, H, bits=4, group_size=64, damp=0.01):
    "Does not fix zero diagonal entries of H (those weights keep their values)."
    return _gptq(w, H, bits, group_size, damp, fix_dead=False)
