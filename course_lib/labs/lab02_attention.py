"""Checks of lab 02_attention (the lesson's module: `course_lib.attention`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
import torch
from course_lib.attention import _randn, causal_mask, merge_heads, scaled_dot_product_attention, softmax, split_heads

def lab_checks() -> list:
    "The checks of lab 02 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    q, k, v = _randn(1, 2, 4, 8, seed=1), _randn(1, 2, 4, 8, seed=2), _randn(1, 2, 4, 8, seed=3)
    pad = torch.tensor([True, True, True, False])
    return [
        Check("softmax", softmax, points=1, tol=1e-5, hint="subtract the row's maximum before exp; divide by the sum along dim", cases=[
            Case("a small row", (torch.tensor([[1.0, 2.0, 3.0]]),)), Case("logits of 1000 (overflow)", (_randn(3, 5, seed=4) * 1000,)),
            Case("along dim 0", (_randn(3, 4, seed=5),), {"dim": 0}), Case("a row with -inf (masked)", (torch.tensor([[0.0, float("-inf"), 1.0]]),))],
              output=lambda t: torch.as_tensor(t)),
        Check("causal_mask", causal_mask, points=1, output=lambda m: torch.as_tensor(m).bool(),
              hint="torch.ones(n_q, n_k).tril(diagonal): the last query sees every key", cases=[
            Case("3 positions", (3,)), Case("1 position", (1,)), Case("2 queries, 5 keys", (2, 5))]),
        Check("scaled_dot_product_attention", scaled_dot_product_attention, points=2, tol=1e-5,
              hint="softmax(q @ k.transpose(-2, -1) / sqrt(d)) @ v; masked scores become -inf before the softmax", cases=[
            Case("no mask", (q, k, v)), Case("causal", (q, k, v), {"is_causal": True}),
            Case("a padding mask (last key blocked)", (q, k, v), {"mask": pad}),
            Case("logits x1000", (q * 1000, k, v), {"is_causal": True})]),
        Check("split_heads", split_heads, points=1, hint="view as (batch, seq, heads, head_dim), then swap seq and heads", cases=[
            Case("batch 1, 3 positions, 2 heads of 2", (torch.arange(12.).view(1, 3, 4), 2)),
            Case("batch 2, 4 heads", (_randn(2, 3, 8, seed=6), 4))]),
        Check("merge_heads", merge_heads, points=1, hint="swap heads and seq back, then reshape to (batch, seq, heads * head_dim)", cases=[
            Case("2 heads of 2", (torch.arange(12.).view(1, 2, 3, 2),)), Case("batch 2, 4 heads", (_randn(2, 4, 3, 2, seed=7),))]),
        Check("scaled_dot_product_attention (hidden)", scaled_dot_product_attention, points=1, hidden=True, tol=1e-5,
              func="scaled_dot_product_attention", hint="check large logits and a causal mask with fewer queries than keys", cases=[
            Case("2 queries, 5 keys, causal, logits x1000", (_randn(2, 1, 2, 4, seed=8) * 1000, _randn(2, 1, 5, 4, seed=9), _randn(2, 1, 5, 4, seed=10)),
                 {"is_causal": True})]),
    ]
