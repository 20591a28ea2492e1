"""Checks of lab 09c_merging (the lesson's module: `course_lib.merging`): SLERP between two tensors, and TIES in its
three steps (trim, elect a sign, disjoint mean) and as a whole merge of state dicts, each compared with the lesson's
function on visible and hidden tensors. Hand-written, not exported: the library holds only what a practitioner
imports. Calling the lesson's merges or mergekit's scores 0."""
from __future__ import annotations
import torch
from course_lib import merging as lesson


# --- the references: the lesson's functions, in the lab's signatures --------------------------------------------------
def slerp(a:torch.Tensor, b:torch.Tensor, t:float) -> torch.Tensor:
    "The lesson's SLERP of two float32 tensors (lerp when |cos| > 0.9995)."
    return lesson.slerp(a, b, t)


def _stable_trim(delta:torch.Tensor, density:float) -> torch.Tensor:
    "The rule the lab states: keep max(1, int(density * n)) largest |entries|; ties at the cut keep the earlier entry."
    k = max(1, int(density * delta.numel()))
    flat, out = delta.flatten(), torch.zeros(delta.numel(), dtype=delta.dtype)
    idx = flat.abs().argsort(descending=True, stable=True)[:k]
    out[idx] = flat[idx]
    return out.view_as(delta)


def trim(task_vector:torch.Tensor, density:float) -> torch.Tensor:
    "The lesson's trim, which must agree with the rule the lab states (the cases are chosen so that it does)."
    ours, stated = lesson.trim(task_vector, density), _stable_trim(task_vector, density)
    if not torch.equal(ours, stated): raise AssertionError("lesson.trim breaks a tie differently: a bug in the lab")
    return ours


def elect_sign(trimmed_vectors:torch.Tensor) -> torch.Tensor:
    "+1. or -1. per entry: the sign of the sum over dim 0 (a sum of 0 elects +1)."
    return lesson.elect_sign(trimmed_vectors)


def disjoint_mean(trimmed_vectors:torch.Tensor, sign:torch.Tensor) -> torch.Tensor:
    "Per entry, the mean of the values whose sign is `sign` (0 where none is)."
    d = trimmed_vectors
    return lesson.disjoint_mean(d, torch.ones(d.shape[0], *[1] * (d.dim() - 1)), sign)


def ties_merge(base:dict, finetuned:list, density:float) -> dict:
    "The lesson's TIES merge of state dicts, equal weights."
    return lesson.ties_merge(base, finetuned, density)


# --- the inputs ------------------------------------------------------------------------------------------------------
def _randn(*shape, seed:int, scale:float=1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) * scale


def _forbid(*ours) -> tuple:
    "The lesson's merges and, where mergekit is installed, its own functions: calling any of them scores 0."
    out = (*ours, lesson.slerp, lesson.trim, lesson.elect_sign, lesson.disjoint_mean, lesson.ties_merge,
           lesson.task_arithmetic, lesson.merge_linear, lesson.dare, lesson.per_tensor)
    try:
        from mergekit import sparsify
        from mergekit.merge_methods import generalized_task_arithmetic as gta, slerp as mk_slerp
        return out + (mk_slerp.slerp, sparsify.magnitude, sparsify.sparsify, gta.get_mask)
    except ImportError: return out


def _slerp_checks(Check, Case) -> list:
    a, b = _randn(8, 16, seed=1), _randn(8, 16, seed=2)
    x, y = torch.tensor([1., 0.]), torch.tensor([0., 1.])
    cases = [Case("two unit vectors 90 degrees apart, t = 0.5", (x, y, 0.5)),
             Case("vectors of different lengths (1 and 3), 90 degrees apart, t = 1/3", (x, 3 * y, 1 / 3)),
             Case("two random 8 x 16 tensors, t = 0.3", (a, b, 0.3)),
             Case("two random 8 x 16 tensors, t = 0.8, b ten times longer", (a, 10 * b, 0.8)),
             Case("t = 0 gives a", (a, b, 0.0)), Case("t = 1 gives b", (a, b, 1.0)),
             Case("parallel: b = 2a, t = 0.25", (a, 2 * a, 0.25)),
             Case("antiparallel: b = -a, t = 0.4", (a, -a, 0.4)),
             Case("nearly parallel: b = a + 0.001 * noise, t = 0.5", (a, a + _randn(8, 16, seed=3, scale=1e-3), 0.5))]
    w = _randn(64, 32, seed=4, scale=0.05)
    hidden = [Case("two fine-tunes of one weight (cos about 0.99), t = 0.5",
                   (w + _randn(64, 32, seed=5, scale=0.01), w + _randn(64, 32, seed=6, scale=0.01), 0.5)),
              Case("a 1-d vector and its copy, t = 0.7", (w[0], w[0].clone(), 0.7)),
              Case("far apart (cos about -0.5), t = 0.6", (x + 0 * y, torch.tensor([-0.5, 0.866]), 0.6))]
    hint = ("the angle from the normalized, flattened tensors (cos = unit(a) . unit(b)); the sin weights "
            "sin((1-t)*angle)/sin(angle) on a and sin(t*angle)/sin(angle) on b, applied to the original tensors; plain "
            "(1-t)*a + t*b when |cos| > 0.9995")
    forbid = _forbid(slerp)
    return [Check("slerp", slerp, cases, points=3, tol=1e-5, hint=hint, forbid=forbid),
            Check("slerp (hidden)", slerp, hidden, points=1, tol=1e-5, hidden=True, func="slerp", hint=hint,
                  forbid=forbid)]


def _trim_checks(Check, Case) -> list:
    cases = [Case("the lesson's example, density 0.5", (torch.tensor([3., -4, 1, .5]), 0.5)),
             Case("a 6 x 8 random tensor, density 0.25 (over the whole tensor, not per row)",
                  (_randn(6, 8, seed=10), 0.25)),
             Case("density 1 keeps everything", (_randn(5, seed=11), 1.0)),
             Case("density 0.1 of 3 entries keeps one", (torch.tensor([5., -1, 2]), 0.1)),
             Case("ties at the cut (|1| three times, 3 kept): the earlier entry is kept",
                  (torch.tensor([1., -2, 2, 1, -1, 0.5]), 0.5)),
             Case("ties at the cut in a 3 x 4 tensor, density 0.4", (torch.tensor(
                 [[0.5, -1., 0.2, 1.], [-3., 1., 0.1, -0.5], [1., -0.2, 0.3, -1.]]), 0.4))]
    hidden = [Case("a 64 x 48 task vector, density 0.2", (_randn(64, 48, seed=12, scale=0.01), 0.2)),
              Case("a 3 x 5 x 7 task vector, density 0.6", (_randn(3, 5, 7, seed=13), 0.6))]
    hint = ("keep k = max(1, int(density * numel)) entries of the largest |value| in the whole tensor, zero the rest, "
            "same shape; at a tie the earlier entry (flattened order) is kept: a stable sort does that")
    forbid = _forbid(trim)
    return [Check("trim", trim, cases, points=2, hint=hint, forbid=forbid),
            Check("trim (hidden)", trim, hidden, points=1, hidden=True, func="trim", hint=hint, forbid=forbid)]


def _sign_checks(Check, Case) -> list:
    cases = [Case("the lesson's two trimmed vectors (sums -1, -2, 2, 0)",
                  (torch.tensor([[3., -2, 0, 0], [-4., 0, 2, 0]]),)),
             Case("one large negative against two small positives", (torch.tensor([[-5., 1], [1., 1], [1., -3]]),)),
             Case("three 4 x 5 random tensors", (_randn(3, 4, 5, seed=20),))]
    hidden = [Case("five 16 x 8 tensors, half their entries zero",
                   (_randn(5, 16, 8, seed=21) * (_randn(5, 16, 8, seed=22) > 0),))]
    hint = "the sign of the sum over the task vectors (dim 0), as 1.0 / -1.0 floats; a sum of exactly 0 elects +1"
    forbid = _forbid(elect_sign)
    return [Check("elect_sign", elect_sign, cases, points=1, hint=hint, forbid=forbid),
            Check("elect_sign (hidden)", elect_sign, hidden, points=1, hidden=True, func="elect_sign", hint=hint,
                  forbid=forbid)]


def _mean_checks(Check, Case) -> list:
    d = torch.tensor([[3., -2, 0, 0], [-4., 0, 2, 0]])
    r = _randn(3, 4, 5, seed=30) * (_randn(3, 4, 5, seed=31) > 0)
    cases = [Case("the lesson's example: no entry agrees at the last position", (d, torch.tensor([-1., -1, 1, 1]))),
             Case("three models, two agree", (torch.tensor([[2., 1], [4., -1], [-1., 3]]), torch.tensor([1., 1]))),
             Case("three 4 x 5 tensors, half their entries zero, with their elected sign", (r, elect_sign(r)))]
    r2 = _randn(4, 8, 8, seed=32) * (_randn(4, 8, 8, seed=33) > 0.5)
    hidden = [Case("four 8 x 8 sparse tensors", (r2, elect_sign(r2)))]
    hint = ("per entry, the mean of the values whose sign equals the elected sign (zeros agree with neither), "
            "divided by how many agree; 0 where none does, never 0/0")
    forbid = _forbid(disjoint_mean)
    return [Check("disjoint_mean", disjoint_mean, cases, points=2, tol=1e-6, hint=hint, forbid=forbid),
            Check("disjoint_mean (hidden)", disjoint_mean, hidden, points=1, tol=1e-6, hidden=True,
                  func="disjoint_mean", hint=hint, forbid=forbid)]


def _models(n:int, seed:int, shapes:dict) -> tuple[dict, list]:
    "A base state dict and n fine-tunes of it: small task vectors whose scale differs from tensor to tensor."
    base = {k: _randn(*s, seed=seed + i) for i, (k, s) in enumerate(shapes.items())}
    scales = [0.3 * 10 ** -i for i in range(len(shapes))]
    tuned = [{k: v + _randn(*v.shape, seed=seed + 100 * (j + 1) + i, scale=scales[i])
              for i, (k, v) in enumerate(base.items())} for j in range(n)]
    return base, tuned


def _ties_checks(Check, Case) -> list:
    shapes = {"mlp.weight": (6, 8), "norm.weight": (8,), "head.weight": (4, 6)}
    b2, f2 = _models(2, 40, shapes)
    b3, f3 = _models(3, 50, shapes)
    cases = [Case("the lesson's example (base 0, density 0.5)",
                  ({"w": torch.zeros(4)}, [{"w": torch.tensor([3., -2, 1, .5])}, {"w": torch.tensor([-4., -1, 2, .2])}],
                   0.5)),
             Case("base 1: the base is added back", ({"w": torch.ones(4)}, [{"w": torch.tensor([4., -1, 2, 1.5])},
                                                                         {"w": torch.tensor([-3., 0, 3, 1.2])}], 0.5)),
             Case("two models of three tensors of different scales, density 0.3", (b2, f2, 0.3)),
             Case("three models, density 0.5", (b3, f3, 0.5)),
             Case("one model, density 1: the model itself", (b2, f2[:1], 1.0))]
    b4, f4 = _models(4, 60, {"a": (16, 16), "b": (32,)})
    hidden = [Case("four models, density 0.2", (b4, f4, 0.2))]
    hint = ("per tensor: task vectors = finetuned - base, each trimmed to the density (per tensor, per model), the "
            "sign elected, base + disjoint mean; same keys, float32 tensors")
    forbid = _forbid(ties_merge)
    return [Check("ties_merge", ties_merge, cases, points=2, tol=1e-5, hint=hint, forbid=forbid),
            Check("ties_merge (hidden)", ties_merge, hidden, points=1, tol=1e-5, hidden=True, func="ties_merge",
                  hint=hint, forbid=forbid)]


def lab_checks() -> list:
    "The checks of lab 09c (see `course_lib.grading`)."
    from course_lib.grading import Case, Check
    return [*_slerp_checks(Check, Case), *_trim_checks(Check, Case), *_sign_checks(Check, Case),
            *_mean_checks(Check, Case), *_ties_checks(Check, Case)]
