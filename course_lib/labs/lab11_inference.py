"""Checks of lab 11_inference (the lesson's module: `course_lib.inference`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
import torch
from course_lib.inference import _randn, accept_reject, expected_tokens_per_step, kv_attention_step

def lab_checks() -> list:
    "The checks of lab 11 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    qkv = lambda b, h, kvh, n, c, s: (_randn(b, h, n, 8, seed=s), _randn(b, kvh, n, 8, seed=s + 1), _randn(b, kvh, n, 8, seed=s + 2),
                                      _randn(b, kvh, c, 8, seed=s + 3), _randn(b, kvh, c, 8, seed=s + 4))
    p, q = torch.tensor([0.40, 0.25, 0.15, 0.10, 0.07, 0.03]), torch.tensor([0.10, 0.10, 0.30, 0.30, 0.10, 0.10])
    ar = lambda r: [int(r[0]), bool(r[1])]
    return [
        Check("kv_attention_step", kv_attention_step, points=3, tol=1e-5, hint="torch.cat the new keys/values after the cached ones (dim -2); "
              "the causal mask is aligned to the end (causal_mask(n_new, n_total)); repeat k/v heads for GQA; return (out, k, v)", cases=[
            Case("prefill 4 tokens, empty cache", qkv(1, 2, 2, 4, 0, 1)), Case("1 new token after 5 cached", qkv(1, 2, 2, 1, 5, 10)),
            Case("2 new tokens after 3 cached (causal among the new)", qkv(2, 2, 2, 2, 3, 20)),
            Case("GQA: 4 query heads, 2 kv heads, 1 new after 4 cached", qkv(1, 4, 2, 1, 4, 30))]),
        Check("accept_reject", accept_reject, points=3, output=ar, hint="accept when u[0] < p[x] / q[x]; otherwise draw from "
              "max(0, p - q) normalised by inverse CDF: the first index whose cumulative sum exceeds u[1] * total", cases=[
            Case("p >= q: always accepted", (p, q, 0), {"u": (0.99, 0.5)}), Case("p/q = 1/3, u = 0.2: accepted", (p, q, 3), {"u": (0.2, 0.5)}),
            Case("p/q = 1/3, u = 0.5: rejected", (p, q, 3), {"u": (0.5, 0.5)}), Case("rejected, residual draw near 1", (p, q, 2), {"u": (0.9, 0.95)}),
            Case("rejected, residual draw near 0", (p, q, 5), {"u": (0.31, 0.01)})]),
        Check("expected_tokens_per_step", expected_tokens_per_step, points=1, tol=1e-9, hint="(1 - alpha**(gamma + 1)) / (1 - alpha); alpha = 1 means every draft is accepted", cases=[
            Case("alpha 0.5, gamma 4", (0.5, 4)), Case("alpha 0, gamma 3", (0.0, 3)), Case("alpha 1, gamma 4", (1.0, 4))]),
        Check("kv_attention_step (hidden)", kv_attention_step, points=1, tol=1e-5, hidden=True, func="kv_attention_step",
              hint="several new tokens, GQA and a batch together", cases=[Case("batch 2, 6 heads, 2 kv heads, 3 new after 6 cached", qkv(2, 6, 2, 3, 6, 40))]),
        Check("accept_reject (hidden)", accept_reject, points=1, hidden=True, func="accept_reject", output=ar,
              hint="the residual is zero wherever q >= p", cases=[Case("a draft equal to the target: always accepted", (p, p.clone(), 4), {"u": (0.999, 0.3)}),
              Case("rejected, residual draw in the middle", (q, p, 0), {"u": (0.5, 0.6)})]),
    ]
