"""Pretraining benchmark: data preparation counts, training throughput of handbook-tiny's configuration, and the
shipped base model's validation perplexity against the unigram baseline.

    python benchmarks/pretrain.py
"""
import time, torch
from course_lib.pretrain import (TrainConfig, base_metrics, build_model, load_base_model, load_base_tokenizer,
                                 load_validation_blocks, make_optimizer, n_params, perplexity, prepare_documents, train_step)
from course_lib.tokenizer import stdlib_corpus

if __name__ == "__main__":
    torch.set_num_threads(2)
    t0 = time.time(); docs, counts = prepare_documents(stdlib_corpus()); prep = time.time() - t0
    for k, v in counts.items(): print(f"{k:>20}: {v:,}")
    print(f"{'prepared in':>20}: {prep:.1f}s")
    cfg, tok = TrainConfig(), load_base_tokenizer()
    model = build_model(cfg, tok.vocab_size, tok.special_tokens["<|endoftext|>"])
    opt, blocks = make_optimizer(model, cfg), torch.randint(tok.vocab_size, (64, cfg.block_size))
    train_step(model, opt, blocks, 0, cfg)
    t0 = time.time(); n = 10
    for it in range(1, n + 1): train_step(model, opt, blocks, it, cfg)
    dt = (time.time() - t0) / n
    print(f"{'train step':>20}: {dt:.3f}s ({cfg.batch_size * cfg.block_size / dt:,.0f} tokens/s, {n_params(model):,} parameters)")
    base, _ = load_base_model("cpu"); m = base_metrics()
    print(f"{'handbook-tiny':>20}: validation perplexity {perplexity(base, load_validation_blocks()):.2f} "
          f"(recorded {m['val_ppl']:.2f}), unigram {m['unigram_val_ppl']:.1f}, built in {m['seconds']:.0f}s")
