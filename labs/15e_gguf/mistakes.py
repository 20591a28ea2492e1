# Plausible wrong answers to lab 15e. Each runs in the kernel that ran the solution (it sees its globals: math, struct,
# np, round_half_away, to_blocks, inverse, from_blocks, ...) and must lose visible points of its exercise. `mistake` is
# injected by the grader.

# --- quantize_q8_0 -------------------------------------------------------------------------------------------------
def _q8(x, rounding=None, fp16_first=False, scale_dtype="<f2", per_row=False, scales_first=False):
    "The Q8_0 quantizer with one thing changed."
    b = to_blocks(x)
    if per_row:
        rows = b.reshape(-1, np.asarray(x).shape[-1])
        amax = np.repeat(np.abs(rows).max(axis=1), rows.shape[1] // 32)[:, None]
    else:
        amax = np.abs(b).max(axis=1, keepdims=True)
    d = amax / np.float32(127)
    if fp16_first:
        d = d.astype(np.float16).astype(np.float32)
    q = (rounding or round_half_away)(b * inverse(d)).astype(np.int8)
    scales = d.astype(scale_dtype).view(np.uint8)
    if scales_first:
        return scales.tobytes() + q.tobytes()
    return np.concatenate([scales, q.view(np.uint8)], axis=1).tobytes()


@mistake("quantize_q8_0")
def rounds_half_to_even(x):
    "Rounds the codes with np.round, which sends halves to the even neighbour (2.5 -> 2) instead of away from zero."
    return _q8(x, rounding=np.round)


@mistake("quantize_q8_0")
def floor_of_x_plus_half(x):
    "Rounds with sign(x) * floor(|x| + 0.5): 0.49999997 + 0.5 is 1.0 in float32, so it rounds up."
    return _q8(x, rounding=lambda v: np.sign(v) * np.floor(np.abs(v) + np.float32(0.5)))


@mistake("quantize_q8_0")
def codes_from_the_fp16_scale(x):
    "Rounds the scale to fp16 first and computes the codes with that, not with the float32 scale."
    return _q8(x, fp16_first=True)


@mistake("quantize_q8_0")
def scale_stored_as_float32(x):
    "Stores the scale as 4 bytes of float32 instead of 2 bytes of fp16 (36-byte blocks)."
    return _q8(x, scale_dtype="<f4")


@mistake("quantize_q8_0")
def one_scale_per_row(x):
    "Takes the largest |x| of the whole row for every block of the row."
    return _q8(x, per_row=True)


@mistake("quantize_q8_0")
def big_endian_scale(x):
    "Writes the fp16 scale big-endian."
    return _q8(x, scale_dtype=">f2")


@mistake("quantize_q8_0")
def all_scales_then_all_codes(x):
    "Writes every block's scale first, then every block's codes, instead of block after block."
    return _q8(x, scales_first=True)


# --- dequantize_q8_0 -----------------------------------------------------------------------------------------------
def _dq8(data, shape, code_dtype=np.int8, scale_dtype="<f2", out_dtype=np.float32, scales_first=False):
    "The Q8_0 reader with one thing changed."
    blocks = from_blocks(data, shape, 34)
    if scales_first:
        n = len(blocks)
        raw = np.frombuffer(data, np.uint8)
        d = raw[:2 * n].copy().view(scale_dtype).astype(np.float32)[:, None]
        q = raw[2 * n:].reshape(n, 32).view(code_dtype).astype(np.float32)
    else:
        d = blocks[:, :2].copy().view(scale_dtype).astype(np.float32)
        q = blocks[:, 2:].view(code_dtype).astype(np.float32)
    return (d * q).astype(out_dtype).reshape(shape)


@mistake("dequantize_q8_0")
def codes_read_unsigned(data, shape):
    "Reads the codes as unsigned bytes: -1 becomes 255."
    return _dq8(data, shape, code_dtype=np.uint8)


@mistake("dequantize_q8_0")
def scale_read_big_endian(data, shape):
    "Reads the fp16 scale big-endian."
    return _dq8(data, shape, scale_dtype=">f2")


@mistake("dequantize_q8_0")
def returns_float16(data, shape):
    "Multiplies in fp16 (the scale's own type) and returns float16 numbers."
    return _dq8(data, shape, out_dtype=np.float16)


@mistake("dequantize_q8_0")
def reads_all_scales_first(data, shape):
    "Reads every block's scale first, then every block's codes."
    return _dq8(data, shape, scales_first=True)


@mistake("dequantize_q8_0")
def no_length_check(data, shape):
    "Does not check the number of bytes (a wrong length gets numpy's reshape error, which says nothing of bytes)."
    blocks = np.frombuffer(data, np.uint8).reshape(-1, 34)
    d = blocks[:, :2].copy().view("<f2").astype(np.float32)
    return (d * blocks[:, 2:].view(np.int8).astype(np.float32)).reshape(shape)


# --- quantize_q4_0 -------------------------------------------------------------------------------------------------
def _q4(x, pick=None, offset=8.5, clip=True, guard=True, pack=None, rounding=None):
    "The Q4_0 quantizer with one thing changed."
    b = to_blocks(x)
    m = pick(b) if pick else np.take_along_axis(b, np.abs(b).argmax(axis=1, keepdims=True), axis=1)
    d = m / np.float32(-8)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = inverse(d) if guard else np.float32(1) / d
        v = b * inv
        q = round_half_away(v) + 8 if rounding else np.trunc(v + np.float32(offset))
        q = (np.clip(q, 0, 15) if clip else q).astype(np.uint8)
    packed = pack(q) if pack else q[:, :16] | (q[:, 16:] << 4)
    return np.concatenate([d.astype("<f2").view(np.uint8), packed], axis=1).tobytes()


@mistake("quantize_q4_0")
def scale_from_abs_max(x):
    "Takes d = max|x| / -8, losing the sign of the largest number (wrong for blocks whose largest number is negative)."
    return _q4(x, pick=lambda b: np.abs(b).max(axis=1, keepdims=True))


@mistake("quantize_q4_0")
def sign_decides_ties(x):
    "Picks the largest number as max(x) when max(x) >= -min(x), else min(x): on a tie the sign wins, not the first."
    return _q4(x, pick=lambda b: np.where(b.max(1, keepdims=True) >= -b.min(1, keepdims=True),
                                          b.max(1, keepdims=True), b.min(1, keepdims=True)))


@mistake("quantize_q4_0")
def forgets_the_offset_8(x):
    "Rounds x / d without adding 8 (negative codes clip to 0)."
    return _q4(x, offset=0.5)


@mistake("quantize_q4_0")
def no_clip_to_15(x):
    "Does not clip at 15: the -m of a block gets code 16, which spills into the other nibble."
    return _q4(x, clip=False)


@mistake("quantize_q4_0")
def zero_block_divides_by_zero(x):
    "Takes 1/d even where d is 0: the all-zero block's codes are NaN and become 0, not 8."
    return _q4(x, guard=False)


@mistake("quantize_q4_0")
def neighbours_in_a_byte(x):
    "Packs codes 2j and 2j + 1 into byte j (lab 10's pack_int4) instead of codes j and j + 16."
    return _q4(x, pack=lambda q: q[:, 0::2] | (q[:, 1::2] << 4))


@mistake("quantize_q4_0")
def high_nibble_first(x):
    "Puts code j in the high four bits and code j + 16 in the low four bits."
    return _q4(x, pack=lambda q: (q[:, :16] << 4) | q[:, 16:])


@mistake("quantize_q4_0")
def rounds_half_away_like_q8_0(x):
    "Rounds x / d with halves away from zero, as Q8_0 does, instead of trunc(x / d + 8.5): -2.5 gets -3, not -2."
    return _q4(x, rounding=True)


# --- dequantize_q4_0 -----------------------------------------------------------------------------------------------
def _dq4(data, shape, unpack=None, minus=8, wrap=False):
    "The Q4_0 reader with one thing changed."
    blocks = from_blocks(data, shape, 18)
    d = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nib = blocks[:, 2:]
    codes = unpack(nib) if unpack else np.concatenate([nib & 15, nib >> 4], axis=1)
    q = (codes - np.uint8(minus)).astype(np.float32) if wrap else codes.astype(np.float32) - minus
    return (d * q).reshape(shape)


@mistake("dequantize_q4_0")
def forgets_minus_8(data, shape):
    "Multiplies the scale by the stored code, without subtracting 8."
    return _dq4(data, shape, minus=0)


@mistake("dequantize_q4_0")
def subtracts_8_in_uint8(data, shape):
    "Subtracts 8 before leaving uint8: codes below 8 wrap around to 248..255."
    return _dq4(data, shape, wrap=True)


@mistake("dequantize_q4_0")
def unpacks_neighbours(data, shape):
    "Reads byte j as codes 2j and 2j + 1 instead of codes j and j + 16."
    return _dq4(data, shape, unpack=lambda nib: np.stack([nib & 15, nib >> 4], axis=2).reshape(len(nib), 32))


@mistake("dequantize_q4_0")
def unpacks_high_first(data, shape):
    "Takes the high four bits as code j and the low four bits as code j + 16."
    return _dq4(data, shape, unpack=lambda nib: np.concatenate([nib >> 4, nib & 15], axis=1))


# --- read_metadata -------------------------------------------------------------------------------------------------
def _meta(data, length="Q", count="Q", encoding="utf-8", scalars=None, check_bounds=True, order="<"):
    "The metadata reader with one thing changed."
    scalars = scalars or {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
    pos = 4

    def read(fmt):
        nonlocal pos
        size = struct.calcsize(order + fmt)
        if check_bounds and pos + size > len(data):
            raise ValueError("the file is truncated")
        (v,) = struct.unpack_from(order + fmt, data, pos)
        pos += size
        return v

    def string():
        nonlocal pos
        n = read(length)
        if check_bounds and pos + n > len(data):
            raise ValueError("the file is truncated")
        pos += n
        return bytes(data[pos - n:pos]).decode(encoding)

    def value(t):
        if t == 8:
            return string()
        if t == 9:
            item_type, n = read("I"), read(count)
            return [value(item_type) for _ in range(n)]
        if t not in scalars:
            raise ValueError(f"unknown value type {t}")
        return read(scalars[t])

    if bytes(data[:4]) != b"GGUF":
        raise ValueError("not a GGUF file")
    if read("I") != 3:
        raise ValueError("unsupported version")
    read("Q")
    n_entries = read("Q")
    out = {}
    for _ in range(n_entries):
        key = string()
        out[key] = value(read("I"))
    return out


@mistake("read_metadata")
def string_length_as_uint32(data):
    "Reads a string's length as a uint32 (4 bytes) instead of a uint64."
    return _meta(data, length="I")


@mistake("read_metadata")
def array_length_as_uint32(data):
    "Reads an array's number of items as a uint32 instead of a uint64."
    return _meta(data, count="I")


@mistake("read_metadata")
def strings_decoded_as_latin1(data):
    "Decodes strings as Latin-1: every non-ASCII character comes out as two or three wrong ones."
    return _meta(data, encoding="latin-1")


@mistake("read_metadata")
def bools_as_ints(data):
    "Reads a bool as an unsigned byte, so True comes back as the int 1."
    return _meta(data, scalars={0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "B", 10: "Q", 11: "q",
                                12: "d"})


@mistake("read_metadata")
def int32_read_unsigned(data):
    "Reads int32 values as uint32: -2 comes back as 4294967294."
    return _meta(data, scalars={0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "I", 6: "f", 7: "?", 10: "Q", 11: "q",
                                12: "d"})


@mistake("read_metadata")
def only_the_types_the_lesson_writes(data):
    "Knows only uint32, int32, float32 and bool (what gguf_bytes writes), not the other scalar types."
    return _meta(data, scalars={4: "I", 5: "i", 6: "f", 7: "?"})


@mistake("read_metadata")
def no_bounds_check(data):
    "Does not check that the bytes are there: a cut file raises struct.error (or reads a short string), no ValueError."
    return _meta(data, check_bounds=False)
