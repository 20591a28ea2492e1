"""Serving benchmark (lessons 15 and 15b): requests/s and p50/p95 latency of the OpenAI-compatible server on
127.0.0.1 at concurrency 1, 4 and 16, with batching off (max_batch=1) and on (max_batch=16).

    python benchmarks/serve.py [--requests 32] [--max-tokens 16]
"""
import argparse
import numpy as np
import torch
from course_lib.core import print_table
from course_lib.monitor import load_test
from course_lib.pretrain import load_base_model
from course_lib.serve import ServeConfig, create_app, running_server
from course_lib.tokenizer import stdlib_corpus

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=32); ap.add_argument("--max-tokens", type=int, default=16)
    a = ap.parse_args()
    torch.set_num_threads(1)
    model, tokenizer = load_base_model("cpu")
    prompts = [d.split("\n")[0][:120] for d in stdlib_corpus().split("\n\n")[100:140]]
    rows = []
    for batching, max_batch in [("off", 1), ("on", 16)]:
        app = create_app(model, tokenizer, ServeConfig(max_batch=max_batch, batch_window_ms=5, max_tokens_cap=64))
        with running_server(app) as url:
            load_test(url, prompts, n_requests=4, concurrency=4)  # warm-up
            for c in (1, 4, 16):
                sizes = app.state.served.batcher.batch_sizes; sizes.clear()
                r = load_test(url, prompts, n_requests=a.requests, concurrency=c, max_tokens=a.max_tokens)
                rows.append(dict(batching=batching, **r, mean_batch=float(np.mean(sizes)) if sizes else None))
    print(f"serving handbook-tiny on 127.0.0.1, {a.requests} greedy completions of <= {a.max_tokens} tokens per level, 1 torch thread")
    print_table(rows, digits=1)
