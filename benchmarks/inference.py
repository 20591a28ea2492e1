"""Inference benchmark (lessons 11 and 11b): KV cache speed-up, KV memory of real models, speculative decoding,
SDPA vs naive attention, static batching throughput.

    python benchmarks/inference.py
"""
import copy, time, torch
from course_lib.core import print_table
from course_lib.inference import (REAL_MODELS, NGramDraft, early_exit_draft, expected_tokens_per_step, generate_greedy,
                                  kv_cache_size, speculative_generate)
from course_lib.model import from_hf
from course_lib.pretrain import load_base_model, load_validation_blocks
from course_lib.throughput import batch_throughput, time_attention
from course_lib.tokenizer import stdlib_corpus

def timed(fn):
    t = time.perf_counter(); out = fn(); return out, time.perf_counter() - t

if __name__ == "__main__":
    torch.set_num_threads(1)
    hf, tok = load_base_model("cpu")
    model, val = from_hf(hf, "cpu"), load_validation_blocks()
    prompt, rows = val[5, :64].tolist(), []
    for n in (64, 256):
        (a, tc), (b, tp) = timed(lambda: generate_greedy(model, prompt, n)), timed(lambda: generate_greedy(model, prompt, n, use_cache=False))
        rows.append(dict(new_tokens=n, no_cache_s=tp, kv_cache_s=tc, speedup=tp / tc, identical=a == b))
    print("KV cache, handbook-tiny, 64-token prompt (goal >= 5x at 256)"); print_table(rows, digits=2)
    print("\nKV cache memory, fp16, GiB")
    print_table([dict(model=k, kv_heads=c.n_kv_heads, **{f"{T // 1024}k_b{b}": kv_cache_size(c, T, b) / 2**30 for T in (4096, 32768) for b in (1, 8)})
                 for k, c in REAL_MODELS.items()], digits=2)
    ngram = NGramDraft(tok(stdlib_corpus())["input_ids"], model.cfg.vocab_size)
    pr, rows = val[5, :32].tolist(), []
    ref, tb = timed(lambda: generate_greedy(model, pr, 192))
    for name, dr in [("n-gram + lookup", ngram), ("early exit, 1 layer", early_exit_draft(model, 1))]:
        for temp in (0.0, 1.0):
            (out, st), ts = timed(lambda: speculative_generate(model, dr, pr, 192, 4, temp))
            rows.append(dict(draft=name, T=temp, alpha=st["alpha"], tok_per_step=st["tokens_per_step"],
                             formula=expected_tokens_per_step(st["alpha"], 4), speedup=tb / ts, same_fp32=out == ref if temp == 0 else None))
    print("\nspeculative decoding, gamma=4, 192 new tokens (goal >= 1.5x)"); print_table(rows, digits=2)
    print("\ncausal attention, 8 heads x 64"); print_table(time_attention(), digits=2)
    print("\nstatic batching, 32-token prompts, 64 new tokens"); print_table(batch_throughput(model, val[:16, :32]), digits=2)
