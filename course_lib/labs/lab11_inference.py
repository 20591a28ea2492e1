"""Checks of lab 11_inference (the lesson's module: `course_lib.inference`): the KV-cache attention step, a decoder
forward through the cache, greedy generation with it, the speculative acceptance rule and speculative decoding with a
draft model. Hand-written, not exported: the library holds only what a practitioner imports."""

from __future__ import annotations
from contextlib import contextmanager
import torch
from course_lib.attention import attention_weights, causal_mask, scaled_dot_product_attention
from course_lib.attention import seeded_randn as randn  # reproducible inputs, the global seed untouched
from course_lib.inference import (
    accept_reject,
    cached_attention,
    expected_tokens_per_step,
    forward_cached,
    generate_greedy,
    kv_attention_step,
    new_caches,
    speculative_generate,
)
from course_lib.model import Decoder, ModelConfig


class CacheOnlyDecoder(Decoder):
    "A Decoder whose full forward refuses to run: generation must go through the KV cache."

    def forward(self, ids, return_attentions=False):
        raise RuntimeError("the full forward model(ids) was called: generate through the KV cache (forward_cached)")


def tiny_decoder(seed: int, n_layers: int = 2, vocab_size: int = 48, cls=Decoder, dtype=torch.float64) -> Decoder:
    "A small random GQA decoder (4 query heads, 2 key/value heads), seeded, peaked enough to have clear argmaxes."
    cfg = ModelConfig(
        vocab_size=vocab_size,
        d_model=32,
        n_layers=n_layers,
        n_heads=4,
        n_kv_heads=2,
        d_ff=64,
        max_seq_len=40,
        init_std=0.3,
    )
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = cls(cfg)
    return model.to(dtype).eval()


@contextmanager
def one_thread():
    "Run torch on one thread in the block: tiny models crawl with two threads on shared cores."
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


def in_one_thread(fn, *args, **kwargs):
    "Call fn on one torch thread (the harness of the model-based checks)."
    with one_thread(), torch.no_grad():
        return fn(*args, **kwargs)


def run_cached(fn, model, ids: torch.Tensor, cuts: tuple) -> list:
    "Feed ids[:, a:b] for each (a, b) in cuts through `fn(model, ids, caches)`; the logits and the last layer's cache."
    with one_thread(), torch.no_grad():
        caches = new_caches(model)
        logits = [fn(model, ids[:, a:b], caches) for a, b in cuts]
    return [torch.cat(logits, 1), caches[-1].k, caches[-1].v, [c.length for c in caches]]


def _spec_out(res) -> list:
    "Tokens, target passes and accepted draft tokens of a speculative_generate result."
    tokens, stats = res
    return [list(tokens), int(stats["steps"]), int(stats["accepted"])]


def _ids(seed: int, batch: int, n: int, vocab: int = 48) -> torch.Tensor:
    return torch.randint(0, vocab, (batch, n), generator=torch.Generator().manual_seed(seed))


def lab_checks() -> list:
    "The checks of lab 11 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    from course_lib.inference import early_exit_draft

    def qkv(b, h, kvh, n, c, s, none=False):
        cache = (None, None) if none else (randn(b, kvh, c, 8, seed=s + 3), randn(b, kvh, c, 8, seed=s + 4))
        return (randn(b, h, n, 8, seed=s), randn(b, kvh, n, 8, seed=s + 1), randn(b, kvh, n, 8, seed=s + 2), *cache)

    p, q = torch.tensor([0.40, 0.25, 0.15, 0.10, 0.07, 0.03]), torch.tensor([0.10, 0.10, 0.30, 0.30, 0.10, 0.10])
    ar = lambda r: [int(r[0]), bool(r[1])]
    m1 = tiny_decoder(1, dtype=torch.float32)
    ids1 = _ids(2, 2, 12)
    g1, g3 = tiny_decoder(3, cls=CacheOnlyDecoder), tiny_decoder(5, n_layers=3, cls=CacheOnlyDecoder)
    target = tiny_decoder(7, n_layers=3)
    early, other = early_exit_draft(target, 1), tiny_decoder(9, n_layers=1)
    small_vocab = tiny_decoder(11, n_layers=1, vocab_size=40)
    prompt = _ids(12, 1, 6)[0].tolist()
    # decorated references (torch.no_grad) are closures the tripwire cannot swap: forbid the functions inside too
    spec_forbid = (speculative_generate, speculative_generate.__wrapped__, generate_greedy, generate_greedy.__wrapped__)
    attn_forbid = (kv_attention_step, scaled_dot_product_attention, attention_weights, causal_mask)
    return [
        Check(
            "kv_attention_step",
            kv_attention_step,
            points=3,
            tol=1e-5,
            forbid=attn_forbid,
            hint="the new keys/values go after the cached ones; query i of the new ones sees every cached key and "
            "the new keys up to itself (the mask is aligned to the end); GQA shares each key/value head "
            "among a group of adjacent query heads; the returned cache keeps only the key/value heads",
            cases=[
                Case("prefill 4 tokens, empty cache (None)", qkv(1, 2, 2, 4, 0, 1, none=True)),
                Case("1 new token after 5 cached", qkv(1, 2, 2, 1, 5, 10)),
                Case("2 new tokens after 3 cached (causal among the new)", qkv(2, 2, 2, 2, 3, 20)),
                Case("GQA: 4 query heads, 2 kv heads, 1 new after 4 cached", qkv(1, 4, 2, 1, 4, 30)),
                Case("GQA, 3 new after 2 cached", qkv(1, 4, 2, 3, 2, 50)),
            ],
        ),
        Check(
            "forward_cached",
            forward_cached,
            points=3,
            tol=1e-5,
            harness=run_cached,
            forbid=(forward_cached, cached_attention, kv_attention_step),
            hint="the new tokens' RoPE angles are those of their absolute positions (the cache length is the "
            "offset); the cache holds keys after RoPE; each block adds attention then MLP to the residual",
            cases=[
                Case("prefill 12 tokens at once", (m1, ids1, ((0, 12),))),
                Case(
                    "prefill 5, then one token at a time",
                    (m1, ids1, ((0, 5),) + tuple((i, i + 1) for i in range(5, 12))),
                ),
                Case("pieces of 3, 1 and 4 tokens", (m1, ids1[:, :8], ((0, 3), (3, 4), (4, 8)))),
                Case(
                    "more tokens than max_seq_len",
                    (m1, _ids(3, 1, 41), ((0, 41),)),
                    raises="ValueError",
                    match="max_seq_len",
                ),
            ],
        ),
        Check(
            "generate_greedy",
            generate_greedy,
            points=3,
            harness=in_one_thread,
            forbid=(generate_greedy, generate_greedy.__wrapped__, forward_cached, cached_attention),
            hint="prefill the prompt once, then feed one token per step through the caches and take the most likely "
            "next token; a list prompt gives a list, a (batch, seq) tensor a (batch, max_new_tokens) tensor",
            cases=[
                Case("a 5-token prompt, 12 new tokens", (g1, [3, 17, 4, 4, 29], 12)),
                Case("a batch of 2 prompts", (g1, _ids(4, 2, 7), 9)),
                Case("a 3-layer model, a 1-token prompt", (g3, [0], 20)),
                Case("zero new tokens", (g1, [5, 6], 0)),
                Case("an empty prompt", (g1, [], 3), raises="ValueError", match="empty"),
                Case(
                    "prompt + new tokens longer than max_seq_len",
                    (g1, [1] * 30, 11),
                    raises="ValueError",
                    match="max_seq_len",
                ),
            ],
        ),
        Check(
            "accept_reject",
            accept_reject,
            points=2,
            output=ar,
            hint="accept with probability min(1, p/q); otherwise draw from the residual max(0, p - q), normalised, "
            "by inverse CDF with the second uniform",
            cases=[
                Case("p >= q: always accepted", (p, q, 0), {"u": (0.99, 0.5)}),
                Case("p/q = 1/3, u = 0.2: accepted", (p, q, 3), {"u": (0.2, 0.5)}),
                Case("p/q = 1/3, u = 0.5: rejected", (p, q, 3), {"u": (0.5, 0.5)}),
                Case("rejected, residual draw near 1", (p, q, 2), {"u": (0.9, 0.95)}),
                Case("rejected, residual draw near 0", (p, q, 5), {"u": (0.31, 0.01)}),
            ],
        ),
        Check(
            "expected_tokens_per_step",
            expected_tokens_per_step,
            points=1,
            tol=1e-9,
            hint="a geometric series: the step yields one more token for each draft accepted in a row, plus the "
            "target's own; alpha = 1 means every draft is accepted",
            cases=[
                Case("alpha 0.5, gamma 4", (0.5, 4)),
                Case("alpha 0, gamma 3", (0.0, 3)),
                Case("alpha 1, gamma 4", (1.0, 4)),
                Case("alpha 0.8, gamma 1", (0.8, 1)),
                Case("alpha 0.9, gamma 7", (0.9, 7)),
            ],
        ),
        Check(
            "speculative_generate",
            speculative_generate,
            points=4,
            output=_spec_out,
            harness=in_one_thread,
            forbid=spec_forbid,
            hint="each step: the draft proposes g tokens, the target scores them all in one pass; keep the agreeing "
            "prefix plus the target's own next token (a bonus token when all agree); both caches roll back to "
            "what was kept; g shrinks near the end so the output never overshoots",
            cases=[
                Case("an early-exit draft, gamma 4, 20 new tokens", (target, early, prompt, 20, 4)),
                Case("the target as its own draft: every draft accepted", (target, target, prompt, 17, 3)),
                Case("an unrelated draft: mostly rejected", (target, other, prompt, 12, 4)),
                Case("gamma 1", (target, early, prompt, 9, 1)),
                Case("3 new tokens with gamma 4", (target, target, prompt, 3, 4)),
                Case(
                    "a draft with another vocabulary",
                    (target, small_vocab, prompt, 5, 4),
                    raises="ValueError",
                    match="vocab",
                ),
                Case("gamma 0", (target, early, prompt, 5, 0), raises="ValueError", match="gamma"),
            ],
        ),
        Check(
            "kv_attention_step (hidden)",
            kv_attention_step,
            points=1,
            tol=1e-5,
            hidden=True,
            func="kv_attention_step",
            forbid=attn_forbid,
            hint="several new tokens, GQA and a batch together",
            cases=[Case("batch 2, 6 heads, 2 kv heads, 3 new after 6 cached", qkv(2, 6, 2, 3, 6, 40))],
        ),
        Check(
            "accept_reject (hidden)",
            accept_reject,
            points=1,
            hidden=True,
            func="accept_reject",
            output=ar,
            hint="the residual is zero wherever q >= p",
            cases=[
                Case("a draft equal to the target: always accepted", (p, p.clone(), 4), {"u": (0.999, 0.3)}),
                Case("rejected, residual draw in the middle", (q, p, 0), {"u": (0.5, 0.6)}),
            ],
        ),
        Check(
            "speculative_generate (hidden)",
            speculative_generate,
            points=1,
            hidden=True,
            func="speculative_generate",
            output=_spec_out,
            forbid=spec_forbid,
            hint="a longer run",
            harness=in_one_thread,
            cases=[Case("an early-exit draft, gamma 2, 30 new tokens", (target, early, prompt[:2], 30, 2))],
        ),
    ]
