"""Checks of lab 07a_interpret (the lesson's module: `course_lib.interpret`): the logit lens from a residual stream and
the model's own final norm and unembedding, the share of a logit difference a patch restores, and one patched
forward pass with a hook. The lens is checked on small random modules and on handbook-tiny-sft's stream; the patch
on handbook-tiny-sft, by its logits and (hidden) by the whole patching map of a pair the lab never shows, compared
with the lesson's `activation_patching`. The lesson's `residual_stream` may be used; calling its `logit_lens`,
`patched_stream` or `activation_patching` scores 0. Hand-written, not exported: the library holds only what a
practitioner imports."""
from __future__ import annotations
import threading
from contextlib import contextmanager
import torch
from course_lib import interpret as lesson

_SFT = {}
_LOCK = threading.RLock()  # the grader judges submissions in threads: load the model once, run one harness at a time


def sft_model():
    "handbook-tiny-sft and its tokenizer on the CPU, in eval mode, loaded once."
    with _LOCK:
        if not _SFT:
            from course_lib.sft import load_sft_model
            _SFT["model"], _SFT["tok"] = load_sft_model("cpu")
            _SFT["model"].eval()
    return _SFT["model"], _SFT["tok"]


def prompt_ids(question:str) -> list[int]:
    "The chat-formatted prompt handbook-tiny-sft answers (lesson 06's template), as token ids."
    from course_lib.instruct import to_messages
    _, tok = sft_model()
    return tok.apply_chat_template(to_messages(question), add_generation_prompt=True, tokenize=True,
                                   return_dict=True)["input_ids"]


def first_token(answer:str) -> int:
    "The first token of an answer (a capital)."
    return sft_model()[1].encode(answer, add_special_tokens=False)[0]


@contextmanager
def one_thread():
    "One harness at a time, on one torch thread, without gradients."
    with _LOCK:
        n = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with torch.no_grad(): yield
        finally: torch.set_num_threads(n)


# --- the references ---------------------------------------------------------------------------------------------------
def lens_from_stream(stream:torch.Tensor, norm, unembed) -> torch.Tensor:
    "The logit lens: log_softmax(unembed(norm(stream))) over the vocabulary, float32, for every row of the stream."
    return unembed(norm(stream)).float().log_softmax(-1)


def restored_share(m_patched, m_clean, m_corrupt):
    "(m_patched - m_corrupt) / (m_clean - m_corrupt): 0 = the patch changed nothing, 1 = it restored the clean run."
    return (m_patched - m_corrupt) / (m_clean - m_corrupt)


@torch.no_grad()
def patch_position(model, input_ids, layer:int, position:int, value:torch.Tensor) -> torch.Tensor:
    "The last position's logits (vocab,) of `input_ids` with the stream after `layer` at `position` set to `value`."
    ids = torch.as_tensor(input_ids)[None]
    where = torch.zeros(ids.shape, dtype=torch.bool)
    where[0, position] = True
    with lesson.patched_stream(model, layer, value.expand(1, ids.shape[1], -1), where):
        return model(input_ids=ids).logits[0, -1]


# --- the harnesses ---------------------------------------------------------------------------------------------------
def lens_run(fn, source, norm=None, unembed=None):
    "Harness: fn(stream, norm, unembed); a question as `source` means handbook-tiny-sft's stream (last position kept)."
    if not isinstance(source, str):
        with one_thread(): return fn(source, norm, unembed)
    model, _ = sft_model()
    stream = lesson.residual_stream(model, prompt_ids(source))
    with one_thread(): out = fn(stream, model.model.norm, model.lm_head)
    return out[:, -1] if torch.is_tensor(out) and out.dim() == 3 else out


def _hooks_left(model) -> int:
    "Remove the forward hooks left on the model (a wrong answer's), and say how many there were."
    n = 0
    for m in model.modules():
        n += len(m._forward_hooks) + len(m._forward_pre_hooks)
        m._forward_hooks.clear()
        m._forward_pre_hooks.clear()
    return n


def patch_run(fn, clean_q:str, corrupt_q:str, layer:int, position:int):
    "Harness: fn(model, corrupted ids, layer, position, the clean run's stream there) on handbook-tiny-sft."
    model, _ = sft_model()
    stream = lesson.residual_stream(model, prompt_ids(clean_q))
    with one_thread():
        out = fn(model, prompt_ids(corrupt_q), layer, position, stream[layer, position].clone())
        if n := _hooks_left(model): return f"{n} hook(s) left on the model after the call"
    return out.detach().float() if torch.is_tensor(out) else out


def patching_map(fn, clean_q:str, corrupt_q:str, clean_answer:str, corrupt_answer:str):
    "Harness: the (layers + 1, seq) map of shares, one call per (layer, position); the lesson's for the reference."
    model, _ = sft_model()
    clean, corrupt = prompt_ids(clean_q), prompt_ids(corrupt_q)
    t_clean, t_corrupt = first_token(clean_answer), first_token(corrupt_answer)
    if fn is patch_position:
        with one_thread(): return lesson.activation_patching(model, clean, corrupt, t_clean, t_corrupt)
    stream = lesson.residual_stream(model, clean)
    with one_thread():
        diff = lambda logits: (logits[t_clean] - logits[t_corrupt]).item()
        m_clean, m_corrupt = diff(model(input_ids=torch.tensor([clean])).logits[0, -1]), \
            diff(model(input_ids=torch.tensor([corrupt])).logits[0, -1])
        out = torch.empty(stream.shape[:2])
        for layer in range(stream.shape[0]):
            for pos in range(stream.shape[1]):
                logits = fn(model, corrupt, layer, pos, stream[layer, pos].clone())
                out[layer, pos] = (diff(logits) - m_corrupt) / (m_clean - m_corrupt)
        if n := _hooks_left(model): return f"{n} hook(s) left on the model after the calls"
    return out


# --- the checks ------------------------------------------------------------------------------------------------------
_FORBID = (lesson.logit_lens, lesson.patched_stream, lesson.activation_patching)


def _modules(hidden:int, vocab:int, seed:int) -> tuple:
    "An RMSNorm with a non-trivial weight and a bias-free unembedding, seeded."
    g = torch.Generator().manual_seed(seed)
    norm, unembed = torch.nn.RMSNorm(hidden, eps=1e-6), torch.nn.Linear(hidden, vocab, bias=False)
    with torch.no_grad():
        norm.weight.copy_(1 + 0.5 * torch.randn(hidden, generator=g))
        unembed.weight.copy_(torch.randn(vocab, hidden, generator=g) / hidden ** 0.5)
    return norm, unembed


def _lens_checks(Check, Case) -> list:
    g = torch.Generator().manual_seed(1)
    s1, s2 = torch.randn(3, 4, 8, generator=g) * 3, torch.randn(5, 6, 16, generator=g)
    layer_norm = lambda x: torch.nn.functional.layer_norm(x, x.shape[-1:])
    cases = [Case("a (3 layers, 4 positions, 8 dims) stream, an RMSNorm, a vocabulary of 10",
                  (s1, *_modules(8, 10, 2))),
             Case("a plain function as the norm (layer norm, no weight)", (s1, layer_norm, _modules(8, 10, 3)[1])),
             Case("handbook-tiny-sft's stream on 'What is the capital of France?' (last position compared)",
                  ("What is the capital of France?",))]
    hidden = [Case("a (5, 6, 16) stream, a vocabulary of 30", (s2, *_modules(16, 30, 4))),
              Case("handbook-tiny-sft on an unseen question", ("Which city is the capital of Japan?",))]
    hint = ("norm every row of the stream with the model's final norm, then the unembedding, then log_softmax over "
            "the vocabulary (the last dim), as float32: shape (layers, seq, vocab)")
    forbid = (lens_from_stream, *_FORBID)
    return [Check("lens_from_stream", lens_from_stream, cases, points=3, tol=1e-4, hint=hint, forbid=forbid,
                  harness=lens_run),
            Check("lens_from_stream (hidden)", lens_from_stream, hidden, points=1, tol=1e-4, hidden=True,
                  func="lens_from_stream", hint=hint, forbid=forbid, harness=lens_run)]


def _share_checks(Check, Case) -> list:
    cases = [Case("a patch that restores part of the difference", (1.5, 4.0, -2.0)),
             Case("a patch that overshoots the clean run", (7.0, 4.0, -2.0)),
             Case("the clean difference below the corrupted one", (5.0, 2.0, 3.0)),
             Case("a tensor of patched differences, float clean and corrupted ones",
                  (torch.tensor([-1.0, 0.5, 2.5, 3.5]), 4.0, -2.0))]
    hidden = [Case("a (5, 3) map with tensor clean and corrupted differences",
                   (torch.arange(15.).view(5, 3) / 7 - 0.3, torch.tensor(2.2), torch.tensor(-0.7)))]
    hint = ("how far the patch moved the metric from the corrupted run towards the clean one, as a share of the "
            "whole way: 0 = no change, 1 = the clean run's value; keep the signs (no abs)")
    forbid = (restored_share, *_FORBID)
    return [Check("restored_share", restored_share, cases, points=1, tol=1e-6, hint=hint, forbid=forbid),
            Check("restored_share (hidden)", restored_share, hidden, points=1, tol=1e-6, hidden=True,
                  func="restored_share", hint=hint, forbid=forbid)]


def _patch_checks(Check, Case) -> list:
    fr, es = "What is the capital of France?", "What is the capital of Spain?"
    cases = [Case("France into Spain: the embeddings' output at ' F' (position 14)", (fr, es, 0, 14)),
             Case("block 1's output at 'ance' (position 16)", (fr, es, 1, 16)),
             Case("block 3's output at the last position (24)", (fr, es, 3, 24)),
             Case("block 4 (the last) at the last position: the clean run's logits", (fr, es, 4, 24)),
             Case("block 2 at a position before the country (5)", (fr, es, 2, 5))]
    hidden = [Case("Italy into Greece, every layer and position, compared with the lesson's activation_patching",
                   ("What is the capital of Italy?", "What is the capital of Greece?", "Rome", "Athens"))]
    hint = ("a forward hook on the embeddings (layer 0) or on decoder block `layer` (model.model.layers[layer - 1]) "
            "that replaces only `position` of its output (a block returns a tuple or a tensor: keep the rest), one "
            "forward pass, the hook removed even if it fails (try/finally); return the logits at the LAST position, "
            "shape (vocab,)")
    forbid = (patch_position, *_FORBID)
    return [Check("patch_position", patch_position, cases, points=3, tol=1e-4, hint=hint, forbid=forbid,
                  harness=patch_run),
            Check("patch_position (hidden)", patch_position, hidden, points=2, tol=1e-4, hidden=True,
                  func="patch_position", hint=hint, forbid=forbid, harness=patching_map)]


def lab_checks() -> list:
    "The checks of lab 07a (see `course_lib.grading`)."
    from course_lib.grading import Case, Check
    return [*_lens_checks(Check, Case), *_share_checks(Check, Case), *_patch_checks(Check, Case)]
