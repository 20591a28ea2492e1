"""Checks of lab 08_dpo (the lesson's module: `course_lib.dpo`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
import torch
from course_lib.dpo import LOSS_TYPES, dpo_loss

def _lab_logps(seed:int, n:int=5) -> tuple[torch.Tensor, ...]:
    "Four deterministic (n,) float64 tensors of log-probabilities."
    g = torch.Generator().manual_seed(seed)
    return tuple(-torch.rand(n, generator=g, dtype=torch.float64) * 30 for _ in range(4))

def lab_checks() -> list:
    "The checks of lab 08 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    lens = {"chosen_lengths": torch.tensor([1., 3., 7., 2., 10.], dtype=torch.float64), "rejected_lengths": torch.tensor([4., 4., 1., 30., 2.], dtype=torch.float64)}
    same = _lab_logps(2)[:2] * 2  # policy == reference
    return [
        Check("dpo_loss sigmoid", dpo_loss, points=2, tol=1e-6, func="dpo_loss", hint="-logsigmoid(beta * (chosen log-ratio - rejected log-ratio)); "
              "rewards are beta * log-ratio", cases=[Case("beta 0.1", _lab_logps(0)), Case("beta 0.5", _lab_logps(1), {"beta": 0.5}),
              Case("policy == reference", same)]),
        Check("dpo_loss ipo", dpo_loss, points=2, tol=1e-6, func="dpo_loss", hint="(chosen log-ratio / chosen length - rejected log-ratio / "
              "rejected length - 1 / (2 * beta)) ** 2; no lengths: divide by 1", cases=[
              Case("no lengths", _lab_logps(3), {"loss_type": "ipo"}), Case("with lengths, beta 0.2", _lab_logps(4), {"loss_type": "ipo", "beta": 0.2, **lens})]),
        Check("dpo_loss hinge", dpo_loss, points=1, tol=1e-6, func="dpo_loss", hint="relu(1 - beta * (chosen log-ratio - rejected log-ratio))",
              cases=[Case("beta 0.1", _lab_logps(5), {"loss_type": "hinge"}), Case("beta 1", _lab_logps(6), {"loss_type": "hinge", "beta": 1.0})]),
        Check("dpo_loss (hidden)", dpo_loss, points=1, tol=1e-6, hidden=True, func="dpo_loss", hint="every loss type on new numbers",
              cases=[Case(f"{lt}, beta 0.3", _lab_logps(7 + i, 8), {"loss_type": lt, "beta": 0.3}) for i, lt in enumerate(LOSS_TYPES)]),
    ]
