"""Checks of lab 04_pretraining (the lesson's module: `course_lib.pretrain`). Hand-written, not exported: the library
holds only what a practitioner imports.

The student writes the training loop: `get_lr`, `pack_blocks`, `causal_lm_loss`, `make_optimizer`, `train_step` and
`train`. The loop's pieces are graded through harnesses that build a tiny seeded Llama, call the student's function
and compare losses and a digest of the weights with the course's loop. `causal_lm_loss` has its reference here (the
lesson computes the loss inside transformers): it must equal `LlamaForCausalLM(..., labels=x).loss`."""
from __future__ import annotations
import copy, threading
from contextlib import contextmanager
import torch
import torch.nn.functional as F
from course_lib.grading import is_course_code
from course_lib.pretrain import TrainConfig, build_model, get_lr, make_optimizer, pack_blocks, train, train_step

VOCAB = 64  # the tiny models' vocabulary
_LOCK = threading.RLock()  # the grader judges submissions in threads; building a model seeds torch's global RNG

def causal_lm_loss(logits:torch.Tensor, # (batch, time, vocab) scores
                   labels:torch.Tensor, # (batch, time) token ids; -100 marks a position not to predict
                  ) -> torch.Tensor:
    "Mean cross-entropy of position t's logits against the token at t + 1 (the label shift), -100 ignored."
    return F.cross_entropy(logits[:, :-1].flatten(0, 1).float(), labels[:, 1:].flatten(), ignore_index=-100)

def tiny_config(seed:int=0, grad_clip:float=0.0, grad_accum:int=1, max_steps:int=6, **kw) -> TrainConfig:
    "A configuration small enough to train in milliseconds (`kw` overrides any field)."
    fields = dict(hidden_size=16, n_layers=1, n_heads=2, n_kv_heads=1, ffn_size=32, max_positions=16, block_size=8,
                  batch_size=2, grad_accum=grad_accum, grad_clip=grad_clip, max_steps=max_steps, warmup_steps=3,
                  lr=0.05, min_lr=0.005, seed=seed)
    return TrainConfig(**{**fields, **kw})

def tiny_blocks(seed:int) -> torch.Tensor:
    "16 random blocks of 8 token ids."
    return torch.randint(VOCAB, (16, 8), generator=torch.Generator().manual_seed(seed))

def weights_digest(model) -> list[float]:
    """One number per parameter tensor: its sum (enough to tell two trainings apart; compared within 1e-4, since Adam
    magnifies float rounding of the loss into ~1e-5 differences)."""
    return [round(float(p.detach().double().sum()), 6) for p in model.parameters()]

@contextmanager
def one_thread():
    """Hold the lock (one harness at a time) and run a tiny model on one torch thread (ten times faster than two on
    busy shared cores), then restore."""
    with _LOCK:
        n = torch.get_num_threads()
        torch.set_num_threads(1)
        try: yield
        finally: torch.set_num_threads(n)

def _remembered(run):
    "Remember a harness's results for the course's own functions (the judge recomputes the reference per answer)."
    memo = {}
    def harness(fn, *args):
        if not is_course_code(fn): return run(fn, *args)
        key = (fn, args)
        if key not in memo: memo[key] = run(fn, *args)
        return copy.deepcopy(memo[key])
    harness.__name__, harness.__doc__ = run.__name__, run.__doc__
    return harness

@_remembered
def run_train_steps(step_fn, seed:int, n_steps:int, grad_clip:float, grad_accum:int, optimizer:str="sgd") -> dict:
    "Harness: `n_steps` of `step_fn(model, optimizer, blocks, it, cfg)` on a tiny seeded model; losses and weights."
    with one_thread():
        cfg = tiny_config(seed, grad_clip, grad_accum)
        model = build_model(cfg, VOCAB, 0)
        opt = torch.optim.SGD(model.parameters(), lr=cfg.lr) if optimizer == "sgd" else make_optimizer(model, cfg)
        losses = [float(step_fn(model, opt, tiny_blocks(seed), it, cfg)) for it in range(n_steps)]
    return {"losses": losses, "weights": weights_digest(model)}

@_remembered
def run_train(train_fn, seed:int, max_steps:int, grad_accum:int=1, grad_clip:float=1.0) -> dict:
    "Harness: `train_fn(model, blocks, cfg)` on a tiny seeded model; its losses, the weights and the model's mode."
    with one_thread():
        cfg = tiny_config(seed, grad_clip, grad_accum, max_steps=max_steps)
        model = build_model(cfg, VOCAB, 0)
        losses = train_fn(model, tiny_blocks(seed), cfg)
    return {"losses": [float(x) for x in losses], "weights": weights_digest(model), "training_mode": model.training}

def optimizer_summary(make_fn, weight_decay:float, betas:tuple, lr:float) -> dict:
    "Harness: the optimizer `make_fn(model, cfg)` builds, as its class and each parameter's settings."
    cfg = tiny_config(lr=lr, min_lr=lr / 10, weight_decay=weight_decay, betas=betas)
    with one_thread():
        model = build_model(cfg, VOCAB, 0)
        opt = make_fn(model, cfg)
    group_of = {id(p): g for g in opt.param_groups for p in g["params"]}
    per_param = [[g["weight_decay"], list(g["betas"]), g["lr"]] if (g := group_of.get(id(p))) else None
                 for p in model.parameters()]
    return {"class": type(opt).__name__, "params": per_param,
            "n_params_in_groups": sum(len(g["params"]) for g in opt.param_groups)}

def _train_quiet(model, blocks, cfg): return train(model, blocks, cfg, progress=False)

def lab_checks() -> list:
    "The checks of lab 04 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    c = TrainConfig(lr=1e-3, min_lr=1e-4, warmup_steps=10, max_steps=100)
    g = torch.Generator().manual_seed(4)
    logits, ids = torch.randn(2, 6, 11, generator=g), torch.randint(11, (2, 6), generator=g)
    masked = ids.clone()
    masked[0, :3], masked[1, 4] = -100, -100
    big = torch.randn(1, 5, 7, generator=g) * 400
    big_ids = torch.randint(7, (1, 5), generator=g)
    return [
        Check("get_lr", get_lr, points=2, tol=1e-9,
              hint="three regimes: a linear ramp that reaches lr on the last warmup step, a half cosine from lr down "
                   "to min_lr, then the floor", cases=[
            Case(f"step {it} of warmup 10, max 100", (it, c)) for it in (0, 4, 9, 10, 32, 55, 99, 100, 250)]),
        Check("pack_blocks", pack_blocks, points=1, dtype="exact",
              hint="whole blocks only, in order, as 64-bit token ids; a stream too short for one block is an error",
              cases=[Case("10 tokens, blocks of 4", (list(range(10)), 4)),
                     Case("an exact multiple", (list(range(100, 112)), 3)),
                     Case("one block", ([5, 6, 7], 3)),
                     Case("too short for a block", ([1, 2], 4), raises="ValueError", match="block_size")]),
        Check("causal_lm_loss", causal_lm_loss, points=2, tol=1e-5,
              forbid=(causal_lm_loss, F.cross_entropy, F.nll_loss),
              hint="position t predicts the token at t + 1; log-probabilities through log-sum-exp (stable for huge "
                   "logits); average over the positions that count", cases=[
            Case("a batch of 2 sequences of 6 tokens", (logits, ids)),
            Case("labels with ignored positions (-100)", (logits, masked)),
            Case("huge logits (overflow)", (big, big_ids)),
            Case("sequences of 2 tokens", (logits[:, :2], ids[:, :2]))]),
        Check("make_optimizer", make_optimizer, points=1, harness=optimizer_summary,
              hint="AdamW (decoupled weight decay) with the config's lr and betas; decay the matrices only, not the "
                   "1-d parameters (norm weights); every parameter in exactly one group", cases=[
            Case("weight decay 0.1, betas (0.9, 0.95)", (0.1, (0.9, 0.95), 3e-3)),
            Case("weight decay 0.01, betas (0.8, 0.99)", (0.01, (0.8, 0.99), 1e-2))]),
        Check("train_step", train_step, points=3, tol=1e-4, harness=run_train_steps,
              hint="divide each micro-batch's loss by the number of micro-batches; clip the global norm once, after "
                   "all of them; set this step's lr in every group; step; zero the gradients", cases=[
            Case("one SGD step, no clipping", (0, 1, 0.0, 1)),
            Case("three SGD steps, clipping at 0.1", (1, 3, 0.1, 1)),
            Case("two SGD steps, accumulating 2 micro-batches", (2, 2, 0.0, 2)),
            Case("two SGD steps, 2 micro-batches, clipping at 0.05", (6, 2, 0.05, 2)),
            Case("four AdamW steps (warmup then cosine)", (3, 4, 1.0, 1, "adamw"))]),
        Check("train", _train_quiet, points=2, tol=1e-4, harness=run_train, forbid=(train,),
              hint="one optimizer (your make_optimizer) for the whole run; steps 0 .. max_steps - 1 with your "
                   "train_step; return every step's loss; leave the model in eval mode", cases=[
            Case("5 steps", (0, 5)), Case("4 steps, 2 micro-batches, clipping at 0.1", (1, 4, 2, 0.1))]),
        Check("get_lr (hidden)", get_lr, points=1, tol=1e-9, hidden=True, func="get_lr", hint="check the boundaries",
              cases=[Case("a schedule with min_lr = lr", (it, TrainConfig(lr=2e-3, min_lr=2e-3, warmup_steps=5,
                                                                           max_steps=20))) for it in (0, 5, 12, 20)]),
        Check("causal_lm_loss (hidden)", causal_lm_loss, points=1, tol=1e-5, hidden=True, func="causal_lm_loss",
              forbid=(causal_lm_loss, F.cross_entropy, F.nll_loss), hint="other shapes",
              cases=[Case("one long sequence", (torch.randn(1, 20, 5, generator=g),
                                                 torch.randint(5, (1, 20), generator=g)))]),
        Check("train_step (hidden)", train_step, points=1, tol=1e-4, hidden=True, func="train_step",
              harness=run_train_steps,
              hint="accumulation and clipping together",
              cases=[Case("three micro-batches, clipping at 0.05, SGD", (4, 3, 0.05, 3)),
                     Case("AdamW, accumulation and clipping", (5, 5, 0.5, 2, "adamw"))]),
    ]
