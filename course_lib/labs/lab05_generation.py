"""Checks of lab 05_generation (the lesson's module: `course_lib.generate`). Hand-written, not exported: the library
holds only what a practitioner imports.

The student writes the sampling loop: the filters `top_k_filter`, `top_p_filter`, `repetition_penalty_filter`, the
choice of one token `next_token`, and the streaming loop `generate_ids`. `next_token` is graded on a hundred draws
from one seeded generator (so a wrong order of the knobs changes the draws), `generate_ids` on the course's base model
handbook-tiny, whose greedy output equals transformers' `model.generate`."""
from __future__ import annotations
import copy, json, threading
from contextlib import contextmanager
import torch
from course_lib.generate import generate_ids, next_token, repetition_penalty_filter, top_k_filter, top_p_filter

_BASE, _REFERENCE_RUNS = {}, {}
_LOCK = threading.RLock()  # the grader judges submissions in threads: load the model once, run one harness at a time

def base_model():
    "handbook-tiny and its tokenizer on the CPU, loaded once."
    with _LOCK:
        if not _BASE:
            from course_lib.pretrain import load_base_model
            _BASE["model"], _BASE["tok"] = load_base_model("cpu")
    return _BASE["model"], _BASE["tok"]

@contextmanager
def one_thread():
    "One harness at a time, a tiny model on one torch thread (much faster than two on busy shared cores)."
    with _LOCK:
        n = torch.get_num_threads()
        torch.set_num_threads(1)
        try: yield
        finally: torch.set_num_threads(n)

def draw_tokens(fn, logits:torch.Tensor, ids:list, n:int, seed:int, **kw) -> list[int]:
    "Harness: `n` calls of `fn(logits, ids, generator=g, **kw)` sharing one generator seeded with `seed`."
    g = torch.Generator().manual_seed(seed)
    return [int(fn(logits.clone(), list(ids), generator=g, **kw)) for _ in range(n)]

def run_generate(fn, prompt:str|list, **kw) -> dict:
    "Harness: `fn(model, ids, **kw)` on handbook-tiny; whether it returned a stream, and the ids it yielded."
    key = json.dumps([prompt, kw], sort_keys=True) if fn is generate_ids else None
    if key in _REFERENCE_RUNS: return copy.deepcopy(_REFERENCE_RUNS[key])  # the judge asks for it once per answer
    model, tok = base_model()
    ids = tok.encode(prompt) if isinstance(prompt, str) else list(prompt)
    with one_thread():
        out = fn(model, ids, **kw)
        result = {"stream": iter(out) is out, "ids": [int(t) for t in out]}
    if key: _REFERENCE_RUNS[key] = copy.deepcopy(result)
    return result

_SAMPLING = (next_token, top_k_filter, top_p_filter, repetition_penalty_filter)

def lab_checks() -> list:
    "The checks of lab 05 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    g = torch.Generator().manual_seed(5)
    x, batch = torch.tensor([2.0, 1.0, 0.5, 0.0, -1.0]), (torch.randn(3, 12, generator=g) * 2).round(decimals=3)
    mixed = torch.tensor([3.0, -2.0, 0.5, -0.5, 1.5, 0.0, 2.5, -3.0])
    v = (torch.randn(40, generator=g) * 2).round(decimals=3)
    top = int(v.argmax())
    eos_prompt = "Return a new list of the"
    return [
        Check("top_k_filter", top_k_filter, points=2, tol=1e-6,
              hint="find each row's k-th largest score; everything strictly below it becomes -inf; k=0 keeps all",
              cases=[Case("k=2 of 5 logits", (x, 2)), Case("k=1", (x, 1)), Case("k=0 keeps everything", (x, 0)),
                     Case("a batch of 3 rows, k=4", (batch, 4)), Case("k larger than the vocabulary", (x, 9))]),
        Check("top_p_filter", top_p_filter, points=3, tol=1e-6,
              hint="sort, accumulate probabilities; drop a token when the mass before it already reaches p (the top "
                   "token always stays); put the decision back in the original order", cases=[
            Case("p=0.5 keeps only the top token", (x, 0.5)), Case("p=0.6", (x, 0.6)), Case("p=0.9", (x, 0.9)),
            Case("p=1.0 keeps everything", (x, 1.0)), Case("a batch of 3 rows, p=0.7", (batch, 0.7)),
            Case("a tiny p keeps one token", (x, 1e-4)),
            Case("logits in no particular order", (x[[3, 0, 4, 1, 2]], 0.8))]),
        Check("repetition_penalty_filter", repetition_penalty_filter, points=2, tol=1e-6,
              hint="only tokens already present change, once each however often they occur; a penalty > 1 must make "
                   "them less likely whatever the sign of their score", cases=[
            Case("penalty 2 on tokens with positive and negative scores", (mixed, [0, 1, 4, 5], 2.0)),
            Case("a token repeated three times is penalized once", (mixed, [6, 6, 6, 3], 1.5)),
            Case("penalty 0.5 (< 1) favours repeats", (mixed, [0, 1, 2], 0.5)),
            Case("no tokens yet", (mixed, [], 1.3))]),
        Check("next_token", next_token, points=3, harness=draw_tokens, forbid=_SAMPLING,
              hint="penalty first; temperature 0 is greedy; otherwise temperature, then top-k, then top-p, then one "
                   "draw from the softmax with the generator given", cases=[
            Case("greedy", (v, [], 1, 0)),
            Case("greedy, the top token penalized", (v, [top], 1, 0), {"repetition_penalty": 20.0}),
            Case("100 draws at temperature 0.7", (v, [], 100, 0), {"temperature": 0.7}),
            Case("100 draws at temperature 1.5, top-k 5", (v, [], 100, 1), {"temperature": 1.5, "top_k": 5}),
            Case("100 draws at temperature 0.5, top-p 0.6", (v, [], 100, 2), {"temperature": 0.5, "top_p": 0.6}),
            Case("100 draws with a repetition penalty", (v, [top, 3, 7], 100, 3),
                 {"temperature": 1.0, "repetition_penalty": 1.8})]),
        Check("generate_ids", generate_ids, points=4, harness=run_generate, forbid=(generate_ids,) + _SAMPLING,
              hint="a generator: validate, then per step one forward pass (reuse the cache), choose with your "
                   "next_token and one generator seeded once, yield, stop after yielding the end-of-text id",
              cases=[
            Case("greedy, 30 tokens", ("The function returns a",), {"max_new_tokens": 30, "eos_id": -1}),
            Case("greedy until the model's end-of-text token", (eos_prompt,), {"max_new_tokens": 40}),
            Case("greedy with an eos_id of our own ('.')", ("Raise ValueError if",),
                 {"max_new_tokens": 30, "eos_id": 46}),
            Case("temperature 0.8, top-p 0.9, seed 1", ("This module provides",),
                 {"max_new_tokens": 25, "temperature": 0.8, "top_p": 0.9, "seed": 1, "eos_id": -1}),
            Case("greedy with repetition penalty 1.3 (the prompt counts)", (eos_prompt,),
                 {"max_new_tokens": 30, "repetition_penalty": 1.3, "eos_id": -1}),
            Case("an empty prompt", ([],), raises="ValueError", match="empty"),
            Case("a negative temperature", ("Hi",), {"temperature": -1.0}, raises="ValueError", match="temperature"),
            Case("top_p = 0", ("Hi",), {"temperature": 1.0, "top_p": 0.0}, raises="ValueError", match="top_p"),
            Case("a negative top_k", ("Hi",), {"temperature": 1.0, "top_k": -1}, raises="ValueError", match="top_k"),
            Case("longer than the model's context", ([5] * 500,), {"max_new_tokens": 20}, raises="ValueError",
                 match="context")]),
        Check("top_k_filter (hidden)", top_k_filter, points=1, tol=1e-6, hidden=True, func="top_k_filter",
              hint="rows are independent", cases=[Case("a batch, k=1", (batch, 1)),
                                                  Case("logits shuffled", (x[[3, 0, 4, 1, 2]], 3))]),
        Check("top_p_filter (hidden)", top_p_filter, points=1, tol=1e-6, hidden=True, func="top_p_filter",
              hint="other thresholds",
              cases=[Case("a batch, p=0.3", (batch, 0.3)), Case("a batch, p=0.95", (batch, 0.95))]),
        Check("generate_ids (hidden)", generate_ids, points=1, hidden=True, func="generate_ids", harness=run_generate,
              forbid=(generate_ids,) + _SAMPLING, hint="other prompts and settings", cases=[
            Case("top-k 10 at temperature 1.2, seed 7", ("The file is opened",),
                 {"max_new_tokens": 20, "temperature": 1.2, "top_k": 10, "seed": 7, "eos_id": -1}),
            Case("greedy until end-of-text", ("See also",), {"max_new_tokens": 40})]),
    ]
