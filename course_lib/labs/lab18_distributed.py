"""Checks of lab 18_distributed (the lesson's module: `course_lib.distributed`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
import torch
from course_lib.distributed import average_gradients, shard_batch, zero_memory

def _t(*shape, seed:int=0): return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))

def lab_checks() -> list:
    "The checks of lab 18 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    grads = lambda W, seed: [[_t(3, 4, seed=seed + r), _t(5, seed=seed + 10 + r)] for r in range(W)]
    return [
        Check("shard_batch", shard_batch, points=1, hint="n = len(batch) // world_size; rank r takes batch[r*n:(r+1)*n]", cases=[
            Case("8 examples, rank 1 of 2", (torch.arange(8), 1, 2)), Case("12 examples, rank 2 of 3", (torch.arange(12), 2, 3)),
            Case("a (6, 3) batch, rank 0 of 3", (torch.arange(18).view(6, 3), 0, 3)), Case("a single rank gets everything", (torch.arange(5), 0, 1)),
            Case("a list of 4 strings, rank 3 of 4", (["a", "b", "c", "d"], 3, 4))]),
        Check("average_gradients", average_gradients, points=2, tol=1e-6, hint="for each parameter, the mean over ranks of its gradient (stack, then mean over dim 0)", cases=[
            Case("two ranks, one scalar", ([[torch.tensor(1.0)], [torch.tensor(3.0)]],)), Case("two ranks, two tensors", (grads(2, 0),)),
            Case("one rank: nothing changes", (grads(1, 5),))]),
        Check("zero_memory", zero_memory, points=2, tol=1e-6, hint="DDP keeps everything; stage 1 divides the optimizer state by world_size, 2 also the gradients, 3 also the parameters", cases=[
            Case(f"7.5B parameters, 64 ranks, stage {s}", (7_500_000_000, 64, s)) for s in range(4)] + [
            Case("fp32 everything, 8 ranks, stage 2", (1000, 8, 2), {"param_bytes": 4, "grad_bytes": 4, "optim_bytes": 8})]),
        Check("average_gradients (hidden)", average_gradients, points=1, tol=1e-6, hidden=True, func="average_gradients", hint="any number of ranks", cases=[
            Case("four ranks", (grads(4, 20),)), Case("three ranks", (grads(3, 40),))]),
        Check("zero_memory (hidden)", zero_memory, points=1, tol=1e-6, hidden=True, func="zero_memory", hint="one rank shards nothing", cases=[
            Case("one rank, stage 3", (10**6, 1, 3)), Case("Llama-2-7B, 8 ranks, stage 1", (6_738_415_616, 8, 1))]),
    ]
