"""Checks of lab 07_sft (the lesson's module: `course_lib.sft`). Hand-written, not exported: the library holds only what
a practitioner imports.

The lesson trains with trl and peft; the lab has the student write what they do inside: the shifted, masked loss, one
optimizer step, and a LoRA layer with its merge. Their references live here (`sft_loss`, `sft_step`, `LoRALinear`,
`add_lora`), with the harnesses that run a student's code on a tiny seeded Llama."""
from __future__ import annotations
import copy, math
import torch
from torch import nn
import torch.nn.functional as F
from course_lib.sft import mask_labels, pad_batch

LAB_SEQS = [([1, 2, 3, 4, 5], [0, 0, 1, 1, 1]), ([7, 8, 9], [0, 0, 0]),
            ([3, 1, 4, 1, 5, 9, 2, 6], [0, 1, 1, 0, 0, 1, 1, 1]),
            ([42], [1])]

def tiny_llama(seed:int, vocab:int=48):
    "A randomly initialised 2-layer Llama of ~30k parameters (seeded), for checking training code in a second."
    from transformers import LlamaConfig, LlamaForCausalLM
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64, pad_token_id=0,
                      bos_token_id=1, eos_token_id=2)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return LlamaForCausalLM(cfg).float()

def reference_cache(harness):
    "Keep what a harness returns for the course's own references (the grader judges every mistake against them)."
    cache = {}
    def cached(fn, *args, **kwargs):
        if not getattr(fn, "__module__", "").startswith("course_lib."): return harness(fn, *args, **kwargs)
        key = (fn, repr(args), repr(sorted(kwargs.items())))  # the function itself: lambdas share one __name__
        if key not in cache: cache[key] = harness(fn, *args, **kwargs)
        return copy.deepcopy(cache[key])
    cached.__name__, cached.__doc__ = harness.__name__, harness.__doc__
    return cached

# --- references -----------------------------------------------------------------------------------------------
def sft_loss(logits:torch.Tensor, # (batch, seq, vocab) the model's outputs
             labels:torch.Tensor, # (batch, seq) token ids, -100 where nothing is learnt
            ) -> torch.Tensor:
    "Mean cross-entropy of each labelled next token: the logits at t predict the label at t + 1."
    if logits.dim() != 3 or logits.shape[:2] != labels.shape:
        raise ValueError(f"logits {tuple(logits.shape)} and labels {tuple(labels.shape)}: "
                         "need (batch, seq, vocab) and (batch, seq)")
    return F.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=-100)

def sft_step(model, optimizer, batch:dict) -> float:
    "One optimizer step of SFT on a padded batch (input_ids, attention_mask, labels); the loss before the step."
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    loss = sft_loss(logits, batch["labels"])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()

class LoRALinear(nn.Module):
    "A frozen nn.Linear plus a trainable low-rank update (alpha / r) * B @ A, B starting at zero."
    def __init__(self, base:nn.Linear, r:int=8, alpha:float=16):
        nn.Module.__init__(self)  # not super(): a closure would hide __init__ from the grader's tripwire
        if r < 1: raise ValueError(f"the LoRA rank r must be >= 1, got {r}")
        self.base, self.r, self.scaling = base, r, alpha / r
        for p in base.parameters(): p.requires_grad_(False)
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, dtype=base.weight.dtype))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, dtype=base.weight.dtype))

    def forward(self, x): return self.base(x) + (x @ self.lora_A.T @ self.lora_B.T) * self.scaling

    def merge(self) -> nn.Linear:
        "A plain nn.Linear with the update folded into its weight."
        out = nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None)
        with torch.no_grad():
            out.weight.copy_(self.base.weight + self.scaling * self.lora_B @ self.lora_A)
            if self.base.bias is not None: out.bias.copy_(self.base.bias)
        return out

def train_sft(model, examples:list[dict], pad_token_id:int, steps:int, lr:float, batch_size:int=16,
              seed:int=0) -> list[float]:
    "AdamW (no weight decay) on the trainable parameters; each step a seeded random batch of examples; the losses."
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
    g = torch.Generator().manual_seed(seed)
    model.train()
    losses = []
    for _ in range(steps):
        idx = torch.randint(len(examples), (batch_size,), generator=g).tolist()
        losses.append(sft_step(model, opt, pad_batch([examples[i] for i in idx], pad_token_id)))
    return losses

def add_lora(model, r:int, alpha:float, targets:tuple) -> int:
    "Freeze `model`, wrap each nn.Linear named in `targets` in a LoRALinear; return how many parameters train."
    for p in model.parameters(): p.requires_grad_(False)
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if name in targets and isinstance(child, nn.Linear): setattr(module, name, LoRALinear(child, r, alpha))
    return sum(p.numel() for p in model.parameters() if p.requires_grad)

# --- fixtures and harnesses -----------------------------------------------------------------------------------
def _loss_case(seed:int, rows:int=3, seq:int=6, vocab:int=10) -> tuple:
    "Random float64 logits and labels: -100 on a prompt of 1-3 tokens and on right padding (rows of different lengths)."
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(rows, seq, vocab, generator=g, dtype=torch.float64) * 2
    labels = torch.randint(vocab, (rows, seq), generator=g)
    for r in range(rows):
        labels[r, :1 + r % 3] = -100
        labels[r, seq - r:] = -100
    return logits, labels

def _sft_batch(seed:int, rows:int=4, seq:int=10, vocab:int=48) -> dict:
    "A random padded SFT batch: a prompt of 2-4 tokens and right padding, both with label -100."
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, vocab, (rows, seq), generator=g)
    att, labels = torch.ones_like(ids), ids.clone()
    for r in range(rows):
        length = seq - 2 * (r % 3)
        ids[r, length:], att[r, length:], labels[r, length:] = 0, 0, -100
        labels[r, :2 + r % 3] = -100
    return {"input_ids": ids, "attention_mask": att, "labels": labels}

@reference_cache
def run_sft_steps(fn, seed:int, steps:int=3, lr:float=1e-2) -> list:
    "Harness: the losses of `steps` calls of `fn(model, optimizer, batch)` on a tiny Llama with AdamW."
    model = tiny_llama(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    batch = _sft_batch(seed)
    return [fn(model, opt, batch) for _ in range(steps)]

def _linear(seed:int, d_in:int, d_out:int, bias:bool) -> tuple:
    "A seeded nn.Linear and an input batch for it."
    g = torch.Generator().manual_seed(seed)
    base = nn.Linear(d_in, d_out, bias=bias)
    with torch.no_grad():
        base.weight.copy_(torch.randn(d_out, d_in, generator=g) / math.sqrt(d_in))
        if bias: base.bias.copy_(torch.randn(d_out, generator=g))
    return base, torch.randn(2, 3, d_in, generator=g)

def _set_lora(layer, seed:int):
    "Give lora_A and lora_B seeded non-zero values (as if trained)."
    g = torch.Generator().manual_seed(seed + 100)
    with torch.no_grad():
        layer.lora_A.copy_(torch.randn(layer.lora_A.shape, generator=g))
        layer.lora_B.copy_(torch.randn(layer.lora_B.shape, generator=g))

def lora_init(cls, seed:int, d_in:int, d_out:int, r:int, alpha:float, bias:bool=True) -> dict:
    "Harness: what a fresh LoRA layer looks like: shapes, zero B, output == the base layer's, what trains."
    base, x = _linear(seed, d_in, d_out, bias)
    w0 = base.weight.detach().clone()
    layer = cls(base, r, alpha)
    out = layer(x)
    return {"lora_A shape": list(layer.lora_A.shape), "lora_B shape": list(layer.lora_B.shape),
            "lora_B is zero": bool((layer.lora_B == 0).all()), "lora_A is not zero": bool((layer.lora_A != 0).any()),
            "output == base output": bool(torch.allclose(out, base(x))),
            "base weight kept": bool(torch.equal(base.weight, w0)),
            "trainable": sorted(n for n, p in layer.named_parameters() if p.requires_grad)}

def lora_forward(cls, seed:int, d_in:int, d_out:int, r:int, alpha:float, bias:bool=True) -> list:
    "Harness: the output of a LoRA layer with set A and B, and whether the gradient reaches only A and B."
    base, x = _linear(seed, d_in, d_out, bias)
    layer = cls(base, r, alpha)
    _set_lora(layer, seed)
    out = layer(x)
    out.square().sum().backward()
    return [out, {"base weight has no gradient": base.weight.grad is None, "lora_B grad": layer.lora_B.grad}]

def lora_merge(cls, seed:int, d_in:int, d_out:int, r:int, alpha:float, bias:bool=True) -> list:
    "Harness: the merged layer (type, weight, bias) and its output."
    base, x = _linear(seed, d_in, d_out, bias)
    layer = cls(base, r, alpha)
    _set_lora(layer, seed)
    merged = layer.merge()
    return [type(merged).__name__, merged.weight, None if merged.bias is None else merged.bias, merged(x)]

def _memorise_task(seed:int, n:int=24, vocab:int=48) -> list[dict]:
    "Examples of different lengths: a prompt of 2-4 tokens (label -100), then an answer of 2-5 tokens to learn."
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n):
        prompt = torch.randint(3, vocab, (2 + i % 3,), generator=g).tolist()
        answer = torch.randint(3, vocab, (2 + i % 4,), generator=g).tolist()
        out.append({"input_ids": prompt + answer, "labels": [-100] * len(prompt) + answer})
    return out

@torch.no_grad()
def _mean_loss(model, examples:list[dict]) -> float:
    "The SFT loss of all examples in one batch (padded here: the harness may not call the exercises' references)."
    n = max(len(e["input_ids"]) for e in examples)
    ids = torch.tensor([e["input_ids"] + [0] * (n - len(e["input_ids"])) for e in examples])
    labels = torch.tensor([e["labels"] + [-100] * (n - len(e["labels"])) for e in examples])
    logits = model(input_ids=ids, attention_mask=(ids != 0).long()).logits  # real tokens are >= 3
    return F.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=-100).item()

@reference_cache
def train_harness(fn, seed:int, steps:int=30, lr:float=1e-2, batch_size:int=8) -> dict:
    "Harness: train a tiny Llama on a small memorising task; how many losses came back and whether the loss fell."
    model, examples = tiny_llama(seed), _memorise_task(seed)
    before = _mean_loss(model, examples)
    losses = fn(model, examples, 0, steps, lr, batch_size, seed)
    after = _mean_loss(model, examples)
    moved = after < 0.6 * before if lr > 0 and steps > 0 else abs(after - before) < 1e-7
    return {"losses returned": len(losses) if isinstance(losses, list) else type(losses).__name__,
            "all floats": isinstance(losses, list) and all(type(x) is float for x in losses),
            "loss fell below 60%" if lr > 0 and steps > 0 else "model unchanged": bool(moved)}

@reference_cache
def add_lora_harness(fn, seed:int, r:int, alpha:float, targets:tuple) -> dict:
    "Harness: add LoRA to a tiny Llama: what it returns, what trains, and whether the logits are unchanged."
    model = tiny_llama(seed)
    x = torch.arange(3, 15).reshape(2, 6)
    with torch.no_grad(): before = model(input_ids=x).logits
    n = fn(model, r, alpha, targets)
    with torch.no_grad(): after = model(input_ids=x).logits
    return {"returned": n, "trainable": sorted(k for k, p in model.named_parameters() if p.requires_grad),
            "logits unchanged": bool(torch.allclose(before, after, atol=1e-6))}

def lab_checks() -> list:
    "The checks of lab 07 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    ex = [{"input_ids": ids, "labels": mask_labels(ids, m)} for ids, m in LAB_SEQS]
    lora = (LoRALinear,)
    return [
        Check("mask_labels", mask_labels, points=2, hint="what the loss must ignore gets PyTorch's ignore index; "
              "the lengths must agree", cases=[
            *[Case(f"{len(ids)} tokens, {sum(m)} of them the assistant's", (ids, m)) for ids, m in LAB_SEQS[:3]],
            Case("a mask shorter than the tokens", ([1, 2, 3], [0, 1]), raises="ValueError")]),
        Check("pad_batch", pad_batch, points=3, dtype="exact", hint="pad on the right to the longest example; padding "
              "is neither attended to nor learnt; int64 tensors", cases=[
            Case("three examples of different lengths", (ex[:3], 0)),
            Case("one example (nothing to pad)", (ex[1:2], 5)),
            Case("a pad id that is also a real token", (ex[:2], 1))]),
        Check("sft_loss", sft_loss, points=3, tol=1e-9, hint="the logits at one position predict the next token; "
              "average over the labelled tokens of the whole batch", cases=[
            Case("3 rows of different lengths", _loss_case(0)), Case("one row", _loss_case(1, rows=1, seq=5)),
            Case("5 rows, a bigger vocabulary", _loss_case(2, rows=5, seq=8, vocab=30)),
            Case("labels (3, 3) for logits (2, 4, 5)", (torch.zeros(2, 4, 5), torch.zeros(3, 3, dtype=torch.long)),
                 raises="ValueError")]),
        Check("sft_step", sft_step, points=3, tol=1e-4, harness=run_sft_steps, forbid=(sft_step, sft_loss),
              hint="your sft_loss on the model's logits; a fresh gradient every step; backward, then step", cases=[
            Case("3 steps, seed 0", (0,)), Case("2 steps, seed 1, lr 0.05", (1,), {"steps": 2, "lr": 0.05})]),
        Check("train_sft", train_sft, points=3, harness=train_harness, forbid=(train_sft, sft_step, pad_batch),
              hint="AdamW on the parameters that require grad, at the learning rate given; `steps` batches through "
              "your pad_batch and sft_step; one float loss per step", cases=[
            Case("30 steps at lr 1e-2", (0,)),
            Case("3 steps at lr 0 (nothing may change)", (1,), {"steps": 3, "lr": 0.0}),
            Case("0 steps", (2,), {"steps": 0})]),
        Check("LoRALinear init", LoRALinear, points=2, func="LoRALinear", harness=lora_init, forbid=lora,
              hint="the base layer is frozen; only the two low-rank factors train; one factor starts at zero so the "
              "layer starts as the base layer", cases=[
            Case("12 -> 7, r 4, alpha 8", (0, 12, 7, 4, 8)),
            Case("5 -> 9, r 2, alpha 2, no bias", (1, 5, 9, 2, 2, False)),
            Case("rank 0", (2, 4, 4, 0, 1), raises="ValueError")]),
        Check("LoRALinear forward", LoRALinear, points=2, tol=1e-5, func="LoRALinear", harness=lora_forward,
              forbid=lora,
              hint="base output plus the low-rank path, scaled by alpha / r", cases=[
            Case("12 -> 7, r 4, alpha 8", (0, 12, 7, 4, 8)),
            Case("6 -> 10, r 3, alpha 12, no bias", (3, 6, 10, 3, 12, False))]),
        Check("LoRALinear merge", LoRALinear, points=2, tol=1e-5, func="LoRALinear", harness=lora_merge, forbid=lora,
              hint="one plain nn.Linear: the scaled update added to the base weight, the bias kept", cases=[
            Case("12 -> 7, r 4, alpha 8", (0, 12, 7, 4, 8)),
            Case("5 -> 9, r 2, alpha 2, no bias", (1, 5, 9, 2, 2, False))]),
        Check("add_lora", add_lora, points=2, harness=add_lora_harness, forbid=(add_lora, LoRALinear),
              hint="freeze everything, then replace each named projection in every layer by your LoRALinear", cases=[
            Case("q_proj and v_proj, r 2", (0, 2, 4, ("q_proj", "v_proj"))),
            Case("all seven projections, r 4", (1, 4, 4, ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                                          "up_proj", "down_proj")))]),
        Check("mask_labels (hidden)", mask_labels, points=1, hidden=True, func="mask_labels",
              hint="the mask starts with 1",
              cases=[Case("the assistant's token first", ([42, 7, 8], [1, 1, 0]))]),
        Check("pad_batch (hidden)", pad_batch, points=1, hidden=True, func="pad_batch", dtype="exact",
              hint="all four lab sequences", cases=[Case("four examples", (ex, 2048))]),
        Check("sft_loss (hidden)", sft_loss, points=1, tol=1e-9, hidden=True, func="sft_loss", hint="new logits",
              cases=[Case("4 rows", _loss_case(5, rows=4, seq=9, vocab=7))]),
        Check("LoRALinear (hidden)", LoRALinear, points=1, tol=1e-5, hidden=True, func="LoRALinear", harness=lora_merge,
              forbid=lora, hint="rank 1", cases=[Case("8 -> 3, r 1, alpha 1", (4, 8, 3, 1, 1))]),
        Check("add_lora (hidden)", add_lora, points=1, hidden=True, func="add_lora", harness=add_lora_harness,
              forbid=(add_lora, LoRALinear), hint="one target",
              cases=[Case("down_proj, r 1", (2, 1, 8, ("down_proj",)))]),
    ]
