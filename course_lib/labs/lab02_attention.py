"""Checks of lab 02_attention (the lesson's module: `course_lib.attention`). Hand-written, not exported: the library
holds only what a practitioner imports. `self_attention` (one attention layer with RoPE, grouped-query heads and a
KV cache, as plain functions of the weights) has no counterpart in the lesson module, so its reference lives here."""
from __future__ import annotations
from contextlib import contextmanager
import torch
import torch.nn.functional as F
from course_lib.core import asset_path
from course_lib.attention import (MultiHeadAttention, apply_rope, causal_mask,
                                  merge_heads, rope_cos_sin, scaled_dot_product_attention, softmax, split_heads)
from course_lib.attention import seeded_randn as randn  # reproducible inputs, the global seed untouched


@contextmanager
def one_thread():
    "Run torch on one thread inside the block (small tensors on shared cores: many times faster), then restore."
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try: yield
    finally: torch.set_num_threads(before)


def self_attention_reference(x:torch.Tensor,            # (batch, t_new, d_model): the new positions only
                             w_q:torch.Tensor,          # (n_heads * head_dim, d_model), like nn.Linear.weight
                             w_k:torch.Tensor,          # (n_kv_heads * head_dim, d_model)
                             w_v:torch.Tensor,          # (n_kv_heads * head_dim, d_model)
                             w_o:torch.Tensor,          # (d_model, n_heads * head_dim)
                             n_heads:int,               # query heads
                             n_kv_heads:int,            # key/value heads (divides n_heads)
                             cache:dict|None=None,      # {"k", "v"}: (batch, n_kv_heads, t_past, head_dim), RoPE'd
                             theta:float=10000.0,       # RoPE base
                            ) -> tuple[torch.Tensor, dict]:
    "Causal self-attention of the new positions over cached + new keys; returns (output, the grown cache)."
    with one_thread():
        return _self_attention(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache, theta)


def _self_attention(x, w_q, w_k, w_v, w_o, n_heads, n_kv_heads, cache, theta):
    head_dim = w_q.shape[0] // n_heads
    past = 0 if cache is None else cache["k"].shape[-2]
    q = split_heads(F.linear(x, w_q), n_heads)
    k, v = split_heads(F.linear(x, w_k), n_kv_heads), split_heads(F.linear(x, w_v), n_kv_heads)
    cos, sin = rope_cos_sin(x.shape[1], head_dim, theta, offset=past)
    q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    if cache is not None:
        k, v = torch.cat([cache["k"], k], dim=-2), torch.cat([cache["v"], v], dim=-2)
    out = scaled_dot_product_attention(q, k, v, is_causal=True)
    return F.linear(merge_heads(out), w_o), {"k": k, "v": v}


def tiny_attention_weights(layer:int=0) -> tuple[torch.Tensor, ...]:
    "handbook-tiny's q, k, v, o projection weights of one layer (read with safetensors, without transformers)."
    from safetensors.torch import load_file
    sd = load_file(asset_path("handbook-tiny/model.safetensors"))
    return tuple(sd[f"model.layers.{layer}.self_attn.{p}_proj.weight"] for p in "qkvo")


def _weights(d_model:int, n_heads:int, n_kv_heads:int, seed:int) -> tuple[torch.Tensor, ...]:
    hd = d_model // n_heads
    shapes = [(n_heads * hd, d_model), (n_kv_heads * hd, d_model), (n_kv_heads * hd, d_model), (d_model, n_heads * hd)]
    return tuple(randn(*s, seed=seed + i) / d_model ** 0.5 for i, s in enumerate(shapes))


def _case_with_cache(Case, desc, d_model, n_heads, n_kv_heads, t_past, t_new, seed, weights=None, **kwargs):
    "A case whose cache holds the reference's keys and values of t_past earlier positions."
    w = weights or _weights(d_model, n_heads, n_kv_heads, seed)
    x = randn(2, t_past + t_new, d_model, seed=seed + 10)
    _, cache = self_attention_reference(x[:, :t_past], *w, n_heads, n_kv_heads, **kwargs)
    return Case(desc, (x[:, t_past:], *w, n_heads, n_kv_heads), {"cache": cache, **kwargs})


def _self_attention_checks(Check, Case) -> list:
    ref = self_attention_reference
    forbid = (ref, MultiHeadAttention.forward)
    w_mha, w_gqa = _weights(16, 4, 4, seed=20), _weights(32, 4, 2, seed=30)
    tiny = tiny_attention_weights(0)
    cases = [
        Case("a prompt, no cache, 4 heads", (randn(2, 5, 16, seed=40), *w_mha, 4, 4)),
        Case("a prompt, no cache, 4 query heads sharing 2 key/value heads", (randn(2, 6, 32, seed=41), *w_gqa, 4, 2)),
        _case_with_cache(Case, "one new token after 5 cached", 16, 4, 4, 5, 1, seed=50),
        _case_with_cache(Case, "3 new tokens after 4 cached (the causal mask must be offset), GQA", 32, 4, 2, 4, 3,
                         seed=60),
        _case_with_cache(Case, "handbook-tiny's layer 0: 2 new tokens after 6 cached", 192, 6, 2, 6, 2, seed=70,
                         weights=tiny)]
    hidden = [_case_with_cache(Case, "theta 500000, 4 new after 7 cached", 32, 4, 1, 7, 4, seed=80,
                               theta=500000.0),
              _case_with_cache(Case, "handbook-tiny's layer 3: 5 new after 9 cached", 192, 6, 2, 9, 5, seed=90,
                               weights=tiny_attention_weights(3))]
    hint = ("the new tokens sit at positions t_past, t_past+1, ...: rotate them for those positions, append them to "
            "the cache, and let each new query see every cached key plus the new keys up to its own position")
    return [Check("self_attention", ref, cases, points=3, tol=1e-4, forbid=forbid, hint=hint),
            Check("self_attention (hidden)", ref, hidden, points=1, tol=1e-4, hidden=True, func="self_attention",
                  forbid=forbid, hint=hint)]


def _rope_checks(Check, Case) -> list:
    x = randn(2, 3, 5, 8, seed=12)
    return [
        Check("rope_cos_sin", rope_cos_sin, points=1, tol=1e-5, hint="one frequency per pair of dimensions, "
              "theta to the power -(2i/head_dim); the angle is position times frequency; both halves use the same "
              "frequencies", cases=[
            Case("4 positions, head_dim 8", (4, 8)), Case("6 positions, head_dim 16, theta 500000", (6, 16, 500000.0)),
            Case("3 positions starting at position 7 (after a cache)", (3, 8), {"offset": 7}),
            Case("an odd head_dim is a ValueError", (4, 7), raises="ValueError", match="head_dim")]),
        Check("apply_rope", apply_rope, points=1, tol=1e-5, hint="pair dimension i with dimension i + head_dim/2 "
              "(the 'rotate half' layout of transformers' Llama) and turn each pair by its angle", cases=[
            Case("5 positions from 0", (x, *rope_cos_sin(5, 8))),
            Case("5 positions from 11, theta 500", (x, *rope_cos_sin(5, 8, 500.0, offset=11))),
            Case("one head of 16 dims", (randn(1, 1, 4, 16, seed=13), *rope_cos_sin(4, 16)))]),
    ]


def lab_checks() -> list:
    "The checks of lab 02 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    q, k, v = randn(1, 2, 4, 8, seed=1), randn(1, 2, 4, 8, seed=2), randn(1, 2, 4, 8, seed=3)
    k6, v6 = randn(1, 2, 6, 8, seed=14), randn(1, 2, 6, 8, seed=15)
    pad = torch.tensor([True, True, True, False])
    sdpa_hint = ("scale the scores by one over the square root of the head size; masked scores become -inf before "
                 "the softmax; fewer key/value heads than query heads: each serves a group of neighbouring query heads")
    return [
        Check("softmax", softmax, points=1, tol=1e-5, hint="subtract the largest logit along dim before exponentiating",
              cases=[
            Case("a small row", (torch.tensor([[1.0, 2.0, 3.0]]),)),
            Case("logits of 1000 (overflow)", (randn(3, 5, seed=4) * 1000,)),
            Case("along dim 0", (randn(3, 4, seed=5),), {"dim": 0}),
            Case("a row with -inf (masked)", (torch.tensor([[0.0, float("-inf"), 1.0]]),))]),
        Check("causal_mask", causal_mask, points=1, hint="a lower triangle of True, aligned so that the last query "
              "sees every key", cases=[
            Case("3 positions", (3,)), Case("1 position", (1,)), Case("2 queries, 5 keys", (2, 5)),
            Case("1 query, 4 keys", (1, 4)),
            Case("more queries than keys is a ValueError", (4, 2), raises="ValueError", match="n_k")]),
        Check("scaled_dot_product_attention", scaled_dot_product_attention, points=2, tol=1e-5, hint=sdpa_hint, cases=[
            Case("no mask", (q, k, v)), Case("causal", (q, k, v), {"is_causal": True}),
            Case("a padding mask (last key blocked)", (q, k, v), {"mask": pad}),
            Case("logits x1000", (q * 1000, k, v), {"is_causal": True}),
            Case("causal, 4 queries over 6 keys", (q, k6, v6), {"is_causal": True}),
            Case("4 query heads, 2 key/value heads (GQA)", (randn(1, 4, 3, 8, seed=16), k[:, :, :3], v[:, :, :3]),
                 {"is_causal": True}),
            Case("q and k with different head sizes is a ValueError", (q, k[..., :4], v), raises="ValueError")]),
        Check("split_heads", split_heads, points=1, hint="view the width as (heads, head_dim), then swap seq and heads",
              cases=[
            Case("batch 1, 3 positions, 2 heads of 2", (torch.arange(12.).view(1, 3, 4), 2)),
            Case("batch 2, 4 heads", (randn(2, 3, 8, seed=6), 4))]),
        Check("merge_heads", merge_heads, points=1, hint="swap heads and seq back, then flatten the last two dims",
              cases=[
            Case("2 heads of 2", (torch.arange(12.).view(1, 2, 3, 2),)),
            Case("batch 2, 4 heads", (randn(2, 4, 3, 2, seed=7),))]),
        *_rope_checks(Check, Case),
        *_self_attention_checks(Check, Case),
        Check("scaled_dot_product_attention (hidden)", scaled_dot_product_attention, points=1, hidden=True, tol=1e-5,
              func="scaled_dot_product_attention", hint=sdpa_hint, cases=[
            Case("2 queries, 5 keys, causal, logits x1000", (randn(2, 1, 2, 4, seed=8) * 1000,
                 randn(2, 1, 5, 4, seed=9), randn(2, 1, 5, 4, seed=10)), {"is_causal": True}),
            Case("6 query heads, 2 key/value heads, 3 queries over 7 keys", (randn(1, 6, 3, 4, seed=17),
                 randn(1, 2, 7, 4, seed=18), randn(1, 2, 7, 4, seed=19)), {"is_causal": True})]),
    ]
