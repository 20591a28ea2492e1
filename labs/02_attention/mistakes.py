# Plausible wrong answers to lab 02, each probed in place of its exercise (the solution's globals are visible here).
# `mistake` is injected by the grader. Every one of them must lose visible points.


# --- softmax -----------------------------------------------------------------------------------------------------
@mistake("softmax")
def no_max_subtraction(x, dim=-1):
    "The textbook formula: overflows to nan at large logits."
    e = x.exp()
    return e / e.sum(dim, keepdim=True)


@mistake("softmax")
def ignores_dim(x, dim=-1):
    "Always normalises the last dimension."
    e = (x - x.amax(-1, keepdim=True)).exp()
    return e / e.sum(-1, keepdim=True)


@mistake("softmax")
def subtracts_global_max(x, dim=-1):
    "Subtracts the tensor's maximum instead of each row's: rows far below it underflow to 0/0."
    e = (x - x.max()).exp()
    return e / e.sum(dim, keepdim=True)


# --- causal_mask -------------------------------------------------------------------------------------------------
@mistake("causal_mask")
def triangle_from_start(n_q, n_k=None):
    "Aligns the triangle to the start (like torch's is_causal): wrong with cached keys."
    n_k = n_q if n_k is None else n_k
    if n_k < n_q:
        raise ValueError(f"n_q={n_q} > n_k={n_k}")
    return torch.ones(n_q, n_k, dtype=torch.bool).tril()


@mistake("causal_mask")
def upper_triangle(n_q, n_k=None):
    "Lets each query see the future instead of the past."
    n_k = n_q if n_k is None else n_k
    if n_k < n_q:
        raise ValueError(f"n_q={n_q} > n_k={n_k}")
    return torch.ones(n_q, n_k, dtype=torch.bool).triu(n_k - n_q)


@mistake("causal_mask")
def float_mask(n_q, n_k=None):
    "Returns 0/1 floats instead of booleans (~mask then fails)."
    n_k = n_q if n_k is None else n_k
    if n_k < n_q:
        raise ValueError(f"n_q={n_q} > n_k={n_k}")
    return torch.ones(n_q, n_k).tril(n_k - n_q)


@mistake("causal_mask")
def more_queries_than_keys_accepted(n_q, n_k=None):
    "Builds a mask even when there are more queries than keys."
    n_k = n_q if n_k is None else n_k
    return torch.ones(n_q, n_k, dtype=torch.bool).tril(n_k - n_q)


# --- scaled_dot_product_attention --------------------------------------------------------------------------------
def _attend(q, k, v, mask, is_causal, scale, repeat="interleave", offset=True, validate=True):
    if validate and q.shape[-1] != k.shape[-1]:
        raise ValueError("q and k need the same head size")
    if q.dim() == 4 and k.shape[1] != q.shape[1]:
        g = q.shape[1] // k.shape[1]
        if repeat == "interleave":
            k, v = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)
        else:
            k, v = k.repeat(1, g, 1, 1), v.repeat(1, g, 1, 1)
    scores = (q @ k.transpose(-2, -1)) * scale
    if is_causal:
        n_q, n_k = q.shape[-2], k.shape[-2]
        allowed = torch.ones(n_q, n_k, dtype=torch.bool).tril(n_k - n_q if offset else 0)
        scores = scores.masked_fill(~allowed, float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return softmax(scores, -1) @ v


@mistake("scaled_dot_product_attention")
def no_scale(q, k, v, mask=None, is_causal=False):
    "Forgets to divide the scores by sqrt(d)."
    return _attend(q, k, v, mask, is_causal, 1.0)


@mistake("scaled_dot_product_attention")
def scale_by_d(q, k, v, mask=None, is_causal=False):
    "Divides by d instead of sqrt(d)."
    return _attend(q, k, v, mask, is_causal, 1.0 / q.shape[-1])


@mistake("scaled_dot_product_attention")
def mask_not_offset(q, k, v, mask=None, is_causal=False):
    "A causal triangle aligned to the start: queries after a cache miss keys they should see."
    return _attend(q, k, v, mask, is_causal, q.shape[-1] ** -0.5, offset=False)


@mistake("scaled_dot_product_attention")
def kv_heads_tiled(q, k, v, mask=None, is_causal=False):
    "Repeats the key/value heads as a block ([a, b, a, b]) instead of next to each other ([a, a, b, b])."
    return _attend(q, k, v, mask, is_causal, q.shape[-1] ** -0.5, repeat="tile")


@mistake("scaled_dot_product_attention")
def head_sizes_not_validated(q, k, v, mask=None, is_causal=False):
    "Lets matmul fail with a RuntimeError on mismatched head sizes."
    return _attend(q, k, v, mask, is_causal, q.shape[-1] ** -0.5, validate=False)


# --- split_heads / merge_heads -----------------------------------------------------------------------------------
@mistake("split_heads")
def view_without_transpose(x, n_heads):
    "Reshapes straight to (batch, heads, seq, head_dim): mixes positions into heads."
    b, t, c = x.shape
    return x.reshape(b, n_heads, t, c // n_heads)


@mistake("split_heads")
def heads_interleaved(x, n_heads):
    "Takes head h as every n_heads-th feature instead of the h-th slice."
    b, t, c = x.shape
    return x.view(b, t, c // n_heads, n_heads).permute(0, 3, 1, 2)


@mistake("split_heads")
def no_transpose(x, n_heads):
    "Leaves the heads after the positions: (batch, seq, heads, head_dim)."
    b, t, c = x.shape
    return x.view(b, t, n_heads, c // n_heads)


@mistake("merge_heads")
def reshape_without_transpose(x):
    "Flattens (batch, heads, seq, head_dim) without moving the heads next to head_dim."
    b, h, t, d = x.shape
    return x.reshape(b, t, h * d)


@mistake("merge_heads")
def head_dim_major(x):
    "Concatenates dimension by dimension instead of head by head."
    b, h, t, d = x.shape
    return x.permute(0, 2, 3, 1).reshape(b, t, h * d)


@mistake("merge_heads")
def sums_heads(x):
    "Adds the heads instead of concatenating them."
    return x.sum(1)


# --- rope_cos_sin / apply_rope -----------------------------------------------------------------------------------
def _tables(seq_len, head_dim, theta, offset, layout="halves", exponent=True):
    if head_dim % 2:
        raise ValueError(f"head_dim must be even, got {head_dim}")
    steps = torch.arange(0, head_dim, 2, dtype=torch.float32)
    inv_freq = theta ** -(steps / head_dim) if exponent else theta ** -steps
    angles = torch.outer(torch.arange(offset, offset + seq_len, dtype=torch.float32), inv_freq)
    angles = torch.cat([angles, angles], -1) if layout == "halves" else angles.repeat_interleave(2, -1)
    return angles.cos(), angles.sin()


@mistake("rope_cos_sin")
def interleaved_tables(seq_len, head_dim, theta=10000.0, offset=0):
    "Repeats each angle next to itself (GPT-J's pairing) instead of in two halves."
    return _tables(seq_len, head_dim, theta, offset, layout="interleaved")


@mistake("rope_cos_sin")
def ignores_offset(seq_len, head_dim, theta=10000.0, offset=0):
    "Always starts at position 0: new tokens after a cache get the first positions' angles."
    return _tables(seq_len, head_dim, theta, 0)


@mistake("rope_cos_sin")
def exponent_not_divided_by_head_dim(seq_len, head_dim, theta=10000.0, offset=0):
    "theta ** -(2i) instead of theta ** -(2i / head_dim): every pair but the first barely turns."
    return _tables(seq_len, head_dim, theta, offset, exponent=False)


@mistake("rope_cos_sin")
def odd_head_dim_accepted(seq_len, head_dim, theta=10000.0, offset=0):
    "Builds tables of the wrong width for an odd head_dim."
    inv_freq = theta ** -(torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    angles = torch.outer(torch.arange(offset, offset + seq_len, dtype=torch.float32), inv_freq)
    angles = torch.cat([angles, angles], -1)
    return angles.cos(), angles.sin()


@mistake("apply_rope")
def interleaved_pairs(x, cos, sin):
    "Rotates pairs (2i, 2i+1) (GPT-J's layout) instead of (i, i + d/2)."
    even, odd = x[..., 0::2], x[..., 1::2]
    rotated = torch.stack([-odd, even], dim=-1).flatten(-2)
    return x * cos + rotated * sin


@mistake("apply_rope")
def rotation_sign_flipped(x, cos, sin):
    "Turns the other way: (b, -a) instead of (-b, a)."
    first, second = x.chunk(2, dim=-1)
    return x * cos + torch.cat([second, -first], dim=-1) * sin


@mistake("apply_rope")
def no_rotate_half(x, cos, sin):
    "Multiplies by sin without turning the pair: x cos + x sin."
    return x * cos + x * sin


# --- self_attention ----------------------------------------------------------------------------------------------
def _layer(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache, theta, rope_offset=True, rope_cache=True,
           grow=True, torch_causal=False, repeat_in_cache=False):
    "The solution with one thing changed (used by the mistakes below)."
    head_dim = w_q.shape[0] // n_heads
    t_past = 0 if cache is None else cache["k"].shape[-2]
    q = split_heads(F.linear(x, w_q), n_heads)
    k, v = split_heads(F.linear(x, w_k), n_kv_heads), split_heads(F.linear(x, w_v), n_kv_heads)
    if repeat_in_cache:
        k, v = k.repeat_interleave(n_heads // n_kv_heads, 1), v.repeat_interleave(n_heads // n_kv_heads, 1)
    cos, sin = rope_cos_sin(x.shape[1], head_dim, theta, offset=t_past if rope_offset else 0)
    q = apply_rope(q, cos, sin)
    if rope_cache:
        k = apply_rope(k, cos, sin)
    new_k, new_v = k, v
    if cache is not None:
        k, v = torch.cat([cache["k"], k], -2), torch.cat([cache["v"], v], -2)
    cached_k = k
    if not rope_cache:
        k = apply_rope(k, *rope_cos_sin(k.shape[-2], head_dim, theta))
    if torch_causal:
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
    else:
        out = scaled_dot_product_attention(q, k, v, is_causal=True)
    new_cache = {"k": cached_k, "v": v} if grow else {"k": new_k, "v": new_v}
    return F.linear(merge_heads(out), w_o), new_cache


@mistake("self_attention")
def rope_not_offset(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache=None, theta=10000.0):
    "Rotates the new tokens as if they were at positions 0, 1, ... even after a cache."
    return _layer(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache, theta, rope_offset=False)


@mistake("self_attention")
def torch_is_causal_top_left(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache=None, theta=10000.0):
    "Uses torch SDPA's is_causal, whose triangle is aligned to the start: new queries miss the cache."
    return _layer(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache, theta, torch_causal=True)


@mistake("self_attention")
def cache_not_grown(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache=None, theta=10000.0):
    "Returns only the new keys and values as the cache: the past is forgotten at the next step."
    return _layer(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache, theta, grow=False)


@mistake("self_attention")
def keys_cached_before_rope(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache=None, theta=10000.0):
    "Caches keys without RoPE and rotates the whole cache at each step."
    return _layer(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache, theta, rope_cache=False)


@mistake("self_attention")
def repeated_heads_in_cache(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache=None, theta=10000.0):
    "Copies the key/value heads for every query head before caching: n_heads times the memory of GQA."
    return _layer(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache, theta, repeat_in_cache=True)
