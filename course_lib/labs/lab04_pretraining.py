"""Checks of lab 04_pretraining (the lesson's module: `course_lib.pretrain`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
import torch
from course_lib.pretrain import TrainConfig, build_model, get_lr, make_optimizer, train_step

def lab_train_steps(seed:int, n_steps:int, grad_clip:float, grad_accum:int, optimizer:str="sgd", step_fn=None) -> dict:
    "Run `n_steps` of `step_fn` (default `train_step`) on a tiny seeded model; the losses and a weight digest."
    cfg = TrainConfig(hidden_size=16, n_layers=1, n_heads=2, n_kv_heads=1, ffn_size=32, block_size=8, batch_size=2,
                      grad_accum=grad_accum, grad_clip=grad_clip, max_steps=6, warmup_steps=3, lr=0.05, min_lr=0.005, seed=seed)
    model = build_model(cfg, 64, 0)
    blocks = torch.randint(64, (16, 8), generator=torch.Generator().manual_seed(seed))
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr) if optimizer == "sgd" else make_optimizer(model, cfg)
    losses = [float((step_fn or train_step)(model, opt, blocks, it, cfg)) for it in range(n_steps)]
    return {"losses": losses, "weights": [round(float(p.detach().double().sum()), 6) for p in model.parameters()]}

def lab_checks() -> list:
    "The checks of lab 04 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    c = TrainConfig(lr=1e-3, min_lr=1e-4, warmup_steps=10, max_steps=100)
    return [
        Check("get_lr", get_lr, points=2, tol=1e-9, hint="three regimes: it < warmup_steps (linear, (it+1)/warmup_steps), it >= max_steps (min_lr), else cosine", cases=[
            Case(f"step {it} of warmup 10, max 100", (it, c)) for it in (0, 4, 9, 10, 55, 99, 100, 250)]),
        Check("train_step", lab_train_steps, points=3, tol=1e-5, func="run_train_steps",
              hint="loss / grad_accum before backward; clip_grad_norm_ after all micro-batches; set every group's lr to get_lr(it, cfg); step; zero_grad",
              cases=[Case("one SGD step, no clipping", (0, 1, 0.0, 1)), Case("three SGD steps, clipping at 0.1", (1, 3, 0.1, 1)),
                     Case("two SGD steps, accumulating 2 micro-batches", (2, 2, 0.0, 2)), Case("four AdamW steps (warmup then cosine)", (3, 4, 1.0, 1, "adamw"))]),
        Check("get_lr (hidden)", get_lr, points=1, tol=1e-9, hidden=True, func="get_lr", hint="check the boundaries",
              cases=[Case("a schedule with min_lr = lr", (it, TrainConfig(lr=2e-3, min_lr=2e-3, warmup_steps=5, max_steps=20))) for it in (0, 5, 12, 20)]),
        Check("train_step (hidden)", lab_train_steps, points=1, tol=1e-5, hidden=True, func="run_train_steps", hint="accumulation and clipping together",
              cases=[Case("three micro-batches, clipping at 0.05, SGD", (4, 3, 0.05, 3)), Case("AdamW, accumulation and clipping", (5, 5, 0.5, 2, "adamw"))]),
    ]
