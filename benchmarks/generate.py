"""Generation benchmark: greedy and sampled tokens/s on handbook-tiny, and regex-constrained decoding.

    python benchmarks/generate.py
"""
import time, torch
from course_lib.pretrain import load_base_model
from course_lib.generate import RegexConstraint, generate_ids, token_texts

if __name__ == "__main__":
    torch.set_num_threads(2)
    model, tok = load_base_model("cpu")
    ids, n = tok.encode("The function returns"), 200
    rows = []
    for name, kw in [("greedy", {}), ("sampled T=0.8 top-p 0.9", dict(temperature=0.8, top_p=0.9))]:
        t0 = time.time(); out = list(generate_ids(model, ids, n, eos_id=-1, **kw)); dt = time.time() - t0
        rows.append((name, len(out), dt))
    texts = token_texts(tok)
    t0 = time.time(); out = list(generate_ids(model, ids, 40, temperature=1.0, constraint=RegexConstraint(r"\d{4}-\d\d-\d\d", tok, texts)))
    rows.append(("regex-constrained (date)", len(out), time.time() - t0))
    for name, k, dt in rows: print(f"{name:<26} {k:>4} tokens  {dt:6.2f}s  {k / dt:7.1f} tokens/s")
