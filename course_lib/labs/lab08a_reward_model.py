"""Checks of lab 08a_reward_model (the lesson's module: `course_lib.reward_model`): the Bradley-Terry loss of a batch of
reward pairs (with an optional margin, stable for large differences), the held-out pairwise accuracy (ties count as
wrong), and the mean reward margin per kind of pair, each compared with a reference on visible and hidden rewards.
Hand-written, not exported: the library holds only what a practitioner imports. Calling the lesson's functions scores
0."""
from __future__ import annotations
import torch
from course_lib import reward_model as lesson


# --- the references ---------------------------------------------------------------------------------------------------
def bradley_terry_loss(chosen_rewards:torch.Tensor, rejected_rewards:torch.Tensor, margin=None) -> torch.Tensor:
    "The lesson's loss: the mean of -log sigmoid(r_chosen - r_rejected - margin), a 0-d tensor."
    return lesson.bradley_terry_loss(chosen_rewards, rejected_rewards, margin)


def pairwise_accuracy(chosen_rewards:torch.Tensor, rejected_rewards:torch.Tensor) -> float:
    "The lesson's accuracy: the share of pairs whose chosen reward is strictly higher (ties are wrong), a float."
    return lesson.pairwise_accuracy(chosen_rewards, rejected_rewards)


def margin_by_kind(chosen_rewards:torch.Tensor, rejected_rewards:torch.Tensor, kinds:list) -> dict:
    "{kind: mean of r_chosen - r_rejected over that kind's pairs} for each kind, plus 'all' over every pair; floats."
    if not (len(chosen_rewards) == len(rejected_rewards) == len(kinds)) or not kinds:
        raise ValueError(f"{len(chosen_rewards)} chosen rewards, {len(rejected_rewards)} rejected rewards and "
                         f"{len(kinds)} kinds: give one of each per pair, at least one pair")
    d = (chosen_rewards - rejected_rewards).double()
    out = {}
    for k in sorted(set(kinds)):
        idx = torch.tensor([i for i, x in enumerate(kinds) if x == k])
        out[k] = d[idx].mean().item()
    out["all"] = d.mean().item()
    return out


# --- the inputs -------------------------------------------------------------------------------------------------------
def _rewards(n:int, seed:int, scale:float=2.0, dtype=torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    "Chosen and rejected rewards of n pairs: chosen mostly higher, a few pairs the other way round."
    g = torch.Generator().manual_seed(seed)
    rejected = torch.randn(n, generator=g, dtype=torch.float64) * scale
    chosen = rejected + torch.randn(n, generator=g, dtype=torch.float64) * scale + 0.5 * scale
    return chosen.to(dtype), rejected.to(dtype)


def _forbid(*ours) -> tuple:
    "The lesson's functions: calling any of them scores 0."
    return (*ours, lesson.bradley_terry_loss, lesson.pairwise_accuracy, lesson.preference_accuracy, lesson.hack_rate)


def _loss_checks(Check, Case) -> list:
    c, r = _rewards(6, seed=0)
    c2, r2 = _rewards(8, seed=1, scale=0.5)
    g = torch.Generator().manual_seed(2)
    m = torch.rand(6, generator=g) * 2
    cases = [Case("6 pairs, no margin", (c, r)),
             Case("8 pairs with small rewards", (c2, r2)),
             Case("equal rewards: every pair costs ln 2", (torch.zeros(4), torch.zeros(4))),
             Case("a margin per pair (0 to 2)", (c, r), {"margin": m}),
             Case("one margin for every pair, 1.5", (c, r), {"margin": 1.5}),
             Case("float32, three pairs ranked the wrong way by 200, 500 and 1000", (
                 torch.tensor([-100., 0., -600.]), torch.tensor([100., 500., 400.]))),
             Case("float32, the chosen answers win by 300 or more",
                  (torch.tensor([300., 1000.]), torch.tensor([0., -5.]))),
             Case("rewards of different shapes", (torch.zeros(3), torch.zeros(4)), raises="ValueError")]
    c3, r3 = _rewards(50, seed=3, scale=5.0)
    hidden = [Case("50 pairs with large rewards, a margin of 0.5", (c3, r3), {"margin": 0.5}),
              Case("float64, a margin per pair", _rewards(5, seed=4, dtype=torch.float64),
                   {"margin": torch.linspace(-1, 1, 5, dtype=torch.float64)}),
              Case("float32, ranked the wrong way by 150", (torch.tensor([-75.]), torch.tensor([75.])))]
    hint = ("the mean over the pairs of the negative log of sigmoid(r_chosen - r_rejected - margin); a missing margin "
            "is 0; finite for any difference: a wrong ranking by d costs about d, never inf; a 0-d tensor")
    forbid = _forbid(bradley_terry_loss)
    return [Check("bradley_terry_loss", bradley_terry_loss, cases, points=4, tol=1e-5, hint=hint, forbid=forbid),
            Check("bradley_terry_loss (hidden)", bradley_terry_loss, hidden, points=1, tol=1e-5, hidden=True,
                  func="bradley_terry_loss", hint=hint, forbid=forbid)]


def _accuracy_checks(Check, Case) -> list:
    c, r = _rewards(10, seed=10)
    cases = [Case("10 pairs, most ranked right", (c, r)),
             Case("every pair ranked right", (torch.tensor([3., 2., 1.]), torch.tensor([0., 1., 0.]))),
             Case("every pair ranked wrong", (torch.tensor([0., 1.]), torch.tensor([1., 2.]))),
             Case("4 pairs, two of them ties (a tie is wrong)", (torch.tensor([1., 2., 3., 0.]),
                                                                 torch.tensor([1., 1., 3., -1.]))),
             Case("rewards of different shapes", (torch.zeros(3), torch.zeros(2)), raises="ValueError"),
             Case("no pairs", (torch.zeros(0), torch.zeros(0)), raises="ValueError")]
    hidden = [Case("an untrained head: every reward 0", (torch.zeros(7), torch.zeros(7))),
              Case("200 pairs", _rewards(200, seed=11))]
    hint = ("the share (0 to 1, a Python float) of pairs whose chosen reward is strictly higher than the rejected one; "
            "equal rewards count as wrong; shapes that differ or no pairs: ValueError")
    forbid = _forbid(pairwise_accuracy)
    return [Check("pairwise_accuracy", pairwise_accuracy, cases, points=3, tol=1e-6, hint=hint, forbid=forbid),
            Check("pairwise_accuracy (hidden)", pairwise_accuracy, hidden, points=1, tol=1e-6, hidden=True,
                  func="pairwise_accuracy", hint=hint, forbid=forbid)]


def _margin_checks(Check, Case) -> list:
    c, r = _rewards(9, seed=20)
    kinds = ["correct", "concise", "refusal"] * 3
    c2, r2 = _rewards(7, seed=21)
    uneven = ["refusal", "correct", "correct", "correct", "correct", "correct", "concise"]
    cases = [Case("9 pairs, three of each kind", (c, r, kinds)),
             Case("7 pairs, kinds of different sizes (1, 5 and 1 pairs)", (c2, r2, uneven)),
             Case("one kind only", (torch.tensor([2., 0.]), torch.tensor([1., 1.]), ["concise", "concise"])),
             Case("two kinds, one ranked the wrong way round",
                  (torch.tensor([1., 2., -3.]), torch.tensor([0., 0., 1.]), ["a", "a", "b"])),
             Case("3 rewards but 2 kinds", (torch.zeros(3), torch.zeros(3), ["a", "b"]), raises="ValueError")]
    c3, r3 = _rewards(40, seed=22)
    hidden = [Case("40 pairs of four kinds, unevenly", (c3, r3, ["w"] * 4 + ["x"] * 20 + ["y"] * 6 + ["z"] * 10))]
    hint = ("a dict: for each kind, the mean of r_chosen - r_rejected over that kind's pairs, as a float; and 'all': "
            "the mean over every pair (not the mean of the kinds' means); lengths that differ: ValueError")
    forbid = _forbid(margin_by_kind)
    return [Check("margin_by_kind", margin_by_kind, cases, points=3, tol=1e-5, hint=hint, forbid=forbid),
            Check("margin_by_kind (hidden)", margin_by_kind, hidden, points=1, tol=1e-5, hidden=True,
                  func="margin_by_kind", hint=hint, forbid=forbid)]


def lab_checks() -> list:
    "The checks of lab 08a (see `course_lib.grading`)."
    from course_lib.grading import Case, Check
    return [*_loss_checks(Check, Case), *_accuracy_checks(Check, Case), *_margin_checks(Check, Case)]
