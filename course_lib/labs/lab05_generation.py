"""Checks of lab 05_generation (the lesson's module: `course_lib.generate`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
import torch
from course_lib.generate import top_k_filter, top_p_filter

def lab_checks() -> list:
    "The checks of lab 05 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    g = torch.Generator().manual_seed(5)
    x, batch = torch.tensor([2.0, 1.0, 0.5, 0.0, -1.0]), (torch.randn(3, 12, generator=g) * 2).round(decimals=3)
    return [
        Check("top_k_filter", top_k_filter, points=2, tol=1e-6, hint="torch.topk gives the k-th largest value; masked_fill the smaller logits with -inf; k=0 keeps all", cases=[
            Case("k=2 of 5 logits", (x, 2)), Case("k=1", (x, 1)), Case("k=0 keeps everything", (x, 0)),
            Case("a batch of 3 rows, k=4", (batch, 4)), Case("k larger than the vocabulary", (x, 9))]),
        Check("top_p_filter", top_p_filter, points=3, tol=1e-6, hint="sort descending, softmax, cumulative sum; drop a token when the mass before it already reaches p; always keep the top token", cases=[
            Case("p=0.5 keeps only the top token", (x, 0.5)), Case("p=0.6", (x, 0.6)), Case("p=0.9", (x, 0.9)),
            Case("p=1.0 keeps everything", (x, 1.0)), Case("a batch of 3 rows, p=0.7", (batch, 0.7)), Case("a tiny p keeps one token", (x, 1e-4))]),
        Check("top_k_filter (hidden)", top_k_filter, points=1, tol=1e-6, hidden=True, func="top_k_filter", hint="rows are independent",
              cases=[Case("a batch, k=1", (batch, 1)), Case("logits shuffled", (x[[3, 0, 4, 1, 2]], 3))]),
        Check("top_p_filter (hidden)", top_p_filter, points=1, tol=1e-6, hidden=True, func="top_p_filter", hint="the order of the logits must not matter",
              cases=[Case("logits shuffled", (x[[3, 0, 4, 1, 2]], 0.8)), Case("a batch, p=0.3", (batch, 0.3))]),
    ]
