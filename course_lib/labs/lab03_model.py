"""Checks of lab 03_model (the lesson's module: `course_lib.model`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
import torch
from course_lib.model import Block, ModelConfig, _randn, block_output, count_parameters, rms_norm, swiglu

LAB_CONFIGS = {"mha": ModelConfig(vocab_size=50, d_model=16, n_layers=1, n_heads=4, d_ff=32, max_seq_len=8),
               "gqa": ModelConfig(vocab_size=50, d_model=32, n_layers=1, n_heads=4, n_kv_heads=2, d_ff=48, max_seq_len=8)}

def lab_checks() -> list:
    "The checks of lab 03 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    return [
        Check("rms_norm", rms_norm, points=1, tol=1e-5, hint="divide by sqrt(mean of squares over the last dim + eps), then multiply by weight", cases=[
            Case("a small row", (torch.tensor([[3.0, 4.0]]), torch.ones(2))), Case("a learned gain", (_randn(2, 3, 8, seed=1), _randn(8, seed=2))),
            Case("large values", (_randn(4, 8, seed=3) * 1e4, torch.ones(8)), {"eps": 1e-6})]),
        Check("swiglu", swiglu, points=1, tol=1e-5, hint="down(silu(gate(x)) * up(x)), with F.linear for each projection", cases=[
            Case("width 4, hidden 6", (_randn(3, 4, seed=4), _randn(6, 4, seed=5), _randn(6, 4, seed=6), _randn(4, 6, seed=7))),
            Case("a batch of sequences", (_randn(2, 3, 8, seed=8), _randn(16, 8, seed=9), _randn(16, 8, seed=10), _randn(8, 16, seed=12)))]),
        Check("Block", Block, points=2, tol=1e-4, output=lambda b: block_output(b, LAB_CONFIGS["mha"]),
              hint="x = x + attn(attn_norm(x), cos, sin); x = x + mlp(mlp_norm(x)); name the parts attn_norm, attn, mlp_norm, mlp",
              cases=[Case("width 16, 4 heads", (LAB_CONFIGS["mha"],))]),
        Check("count_parameters", count_parameters, points=1, output=lambda r: r["total"] if isinstance(r, dict) else r,
              hint="embedding + per layer (q, k, v, o, gate, up, down, 2 norms) + final norm + head unless tied", cases=[
            Case("the default config", (ModelConfig(),)), Case("GQA, untied", (ModelConfig(n_kv_heads=2, tie_embeddings=False),)),
            Case("a lab config", (LAB_CONFIGS["gqa"],))]),
        Check("Block (hidden)", Block, points=1, hidden=True, func="Block", tol=1e-4, output=lambda b: block_output(b, LAB_CONFIGS["gqa"]),
              hint="grouped-query attention: n_kv_heads < n_heads", cases=[Case("width 32, 4 heads, 2 kv heads", (LAB_CONFIGS["gqa"],))]),
    ]
