"""Distributed training benchmark (lesson 18): seconds per step at 1 process vs 2 DDP processes (same global batch),
the all-reduce time and bytes per step, for two model sizes; and the ZeRO/FSDP bytes per rank of a 7B model.

    python benchmarks/distributed.py
"""
import tempfile, time
from pathlib import Path
from statistics import median
import torch
from course_lib.core import print_table
from course_lib.distributed import DistConfig, ZERO_STAGES, launch, make_batches, train_local, zero_memory
from course_lib.model import ModelConfig, count_parameters

if __name__ == "__main__":
    torch.set_num_threads(1)
    rows = []
    for cfg in (DistConfig(), DistConfig(d_model=256, global_batch=32, steps=6)):
        batches, vocab_size = make_batches(cfg)
        with tempfile.TemporaryDirectory(prefix="ddp-bench-") as tmp:
            t = time.perf_counter(); launch(cfg, tmp, timeout=300); launch_s = time.perf_counter() - t
            ddp = torch.load(Path(tmp)/"ddp.pt", weights_only=True)
        one = median(train_local(cfg, batches[:3], vocab_size)["step_s"][1:])
        two = median(ddp["step_s"][1:])
        rows.append(dict(d_model=cfg.d_model, batch=cfg.global_batch, params_M=ddp["grad_bytes"] / 4e6, one_proc_s=one, ddp_2proc_s=two,
                         speedup=one / two, compute_s=ddp["compute_s"], allreduce_s=ddp["allreduce_s"], grad_MB=ddp["grad_bytes"] / 1e6,
                         launch_s=launch_s, backend=ddp["backend"]))
    print("seconds per step, 1 process x 1 thread vs DDP 2 processes x 1 thread (same global batch)")
    print_table(rows, digits=3)
    n = count_parameters(ModelConfig(vocab_size=32000, d_model=4096, n_layers=32, n_heads=32, d_ff=11008, max_seq_len=4096, tie_embeddings=False))["total"]
    print(f"\nbytes per rank, Llama-2-7B shape ({n:,} parameters), bf16 + Adam, 8 ranks, GB")
    print_table([dict(strategy=ZERO_STAGES[s], **{k: v / 1e9 for k, v in zero_memory(n, 8, s).items()}) for s in range(4)], digits=2)
