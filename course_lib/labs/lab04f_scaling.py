"""Checks of lab 04f_scaling (the lesson's module: `course_lib.scaling`): the Chinchilla objective in log space (the
log-sum-exp of the three terms, Huber's loss on the log residuals), a fit that recovers the parameters of noiseless
synthetic laws (and shrugs off an outlier), and the compute-optimal split of a budget C = 6ND. The first two are
compared with the lesson's functions; the third is not in the library, so its reference lives here, in closed form
(Hoffmann et al. 2022, eq. 4), checked against a brute-force search along the budget. Hand-written, not exported:
the library holds only what a practitioner imports. Calling the lesson's fit, objective or Huber scores 0."""
from __future__ import annotations
import math
import torch
from course_lib import scaling as lesson

_KEYS = ("E", "A", "B", "alpha", "beta")


# --- the references ---------------------------------------------------------------------------------------------------
def law_objective(params:torch.Tensor, logN:torch.Tensor, logD:torch.Tensor, logL:torch.Tensor,
                  delta:float=1e-3) -> torch.Tensor:
    "The lesson's objective: per row (a, b, e, alpha, beta) of params, sum of huber(LSE(...) - logL, delta); (K,)."
    return lesson.law_objective(params, logN, logD, logL, delta)


def fit_law(N, D, L) -> dict:
    "The lesson's fit (Huber delta 1e-3, L-BFGS from the 8 best points of Hoffmann et al.'s grid), without 'objective'."
    fit = lesson.fit_scaling_law(N, D, L)
    return {k: fit[k] for k in _KEYS}


def brute_force_optimal(fit:dict, C:float, points:int=200_001) -> tuple[float, float]:
    "(N, D) of least predicted loss among `points` values of N log-spaced around the optimum, with D = C / (6N)."
    n0 = compute_optimal_closed(fit, C)[0]
    N = torch.logspace(math.log10(n0) - 3, math.log10(n0) + 3, points, dtype=torch.float64)
    best = N[lesson.predict_loss(fit, N, C / (6 * N)).argmin()].item()
    return best, C / (6 * best)


def compute_optimal_closed(fit:dict, C:float) -> tuple[float, float]:
    "N_opt = G (C/6)^(beta/(alpha+beta)), G = (alpha A / (beta B))^(1/(alpha+beta)); D_opt = C / (6 N_opt)."
    a, b = fit["alpha"], fit["beta"]
    G = (a * fit["A"] / (b * fit["B"])) ** (1 / (a + b))
    n = G * (C / 6) ** (b / (a + b))
    return n, C / (6 * n)


def compute_optimal(fit:dict, C:float) -> tuple[float, float]:
    "The closed form, which must agree with the brute-force search (to its grid's resolution, 3e-5 in log10)."
    n, d = compute_optimal_closed(fit, C)
    nb, _ = brute_force_optimal(fit, C)
    if abs(math.log10(n / nb)) > 1e-4: raise AssertionError(f"closed form {n:.6g} vs brute force {nb:.6g}: a lab bug")
    return n, d


# --- the inputs ------------------------------------------------------------------------------------------------------
CHINCHILLA = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
MADE_UP = {"E": 4.0, "A": 60.0, "B": 900.0, "alpha": 0.45, "beta": 0.6}


def _runs(law:dict, n_range:tuple, d_range:tuple, n:int=4, outlier:float=1.0) -> tuple:
    "(N, D, L) lists of an n x n grid of runs with noiseless losses (the middle run's loss times `outlier`)."
    NN, DD = torch.meshgrid(torch.logspace(*n_range, n, dtype=torch.float64),
                            torch.logspace(*d_range, n, dtype=torch.float64), indexing="ij")
    L = lesson.predict_loss(law, NN, DD).flatten()
    L[len(L) // 2 + 1] *= outlier
    return NN.flatten().tolist(), DD.flatten().tolist(), L.tolist()


def _objective_cases(Case) -> tuple[list, list]:
    g = torch.Generator().manual_seed(0)
    logN, logD = torch.linspace(10, 14, 6, dtype=torch.float64), torch.linspace(11, 15, 6, dtype=torch.float64)
    logL = torch.tensor([1.2, 1.1, 1.0, 0.95, 0.9, 0.85], dtype=torch.float64)
    truth = torch.tensor([[math.log(406.4), math.log(410.7), math.log(1.69), 0.34, 0.28]], dtype=torch.float64)
    cands = torch.tensor([[5., 5., 0.5, 0.4, 0.3], [10., 0., -1., 1.0, 0.0], [0., 20., 1.0, 0.0, 1.5]],
                         dtype=torch.float64)
    rand = torch.rand(5, 5, generator=g, dtype=torch.float64) * torch.tensor([20., 20., 2., 2., 2.]) \
        - torch.tensor([0., 0., 1., 0., 0.])
    cases = [Case("three candidates, residuals both below and above delta = 1e-3", (cands, logN, logD, logL)),
             Case("Chinchilla's own parameters (as logs) on losses near them", (truth, logN, logD, logL)),
             Case("a larger delta, 0.1 (most residuals inside it)", (cands, logN, logD, logL, 0.1)),
             Case("five random candidates", (rand, logN, logD, logL)),
             Case("one candidate, one run", (cands[:1], logN[:1], logD[:1], logL[:1]))]
    rand2 = torch.rand(7, 5, generator=g, dtype=torch.float64) * 3
    hidden = [Case("seven other candidates on 4 runs, delta 0.01", (rand2, logN[:4] - 2, logD[2:], logL[1:5], 0.01))]
    return cases, hidden


def _objective_checks(Check, Case) -> list:
    cases, hidden = _objective_cases(Case)
    hint = ("per row (a, b, e, alpha, beta): prediction log L = logsumexp of (a - alpha*logN, b - beta*logD, e) over "
            "the three terms (broadcast e to every run); residual = prediction - logL; Huber: 0.5 r^2 where |r| <= "
            "delta, else delta*(|r| - 0.5*delta); sum over the runs: one number per row, shape (K,)")
    forbid = (law_objective, lesson.law_objective, lesson.huber, lesson.fit_scaling_law)
    return [Check("law_objective", law_objective, cases, points=3, tol=1e-9, hint=hint, forbid=forbid),
            Check("law_objective (hidden)", law_objective, hidden, points=1, tol=1e-9, hidden=True,
                  func="law_objective", hint=hint, forbid=forbid)]


def _fit_checks(Check, Case) -> list:
    cases = [Case("the lesson's made-up law at our scale: 16 noiseless runs", _runs(MADE_UP, (4.4, 5.6), (4.7, 5.6))),
             Case("Chinchilla's law at their scale: 25 noiseless runs",
                  _runs(CHINCHILLA, (7, 10), (9, 12), n=5)),
             Case("the made-up law with one run's loss 30% too high (an outlier: Huber in log space resists it)",
                  _runs(MADE_UP, (4.4, 5.6), (4.7, 5.6), n=5, outlier=1.3))]
    hidden = [Case("another law at another scale, 25 runs, one of them 20% too low",
                   _runs({"E": 2.5, "A": 300.0, "B": 3000.0, "alpha": 0.3, "beta": 0.5}, (5, 8), (6, 9), n=5,
                         outlier=0.8))]
    hint = ("fit in log space with your law_objective (Huber, delta 1e-3) on ln N, ln D, ln L: evaluate it on "
            "Hoffmann et al.'s grid of starts, run L-BFGS (float64) from the best few, keep the lowest; return "
            "{'E': e^e, 'A': e^a, 'B': e^b, 'alpha', 'beta'} as floats (compared within 1%)")
    forbid = (fit_law, lesson.fit_scaling_law, lesson.law_objective, lesson.huber, lesson.bootstrap_fits)
    return [Check("fit_law", fit_law, cases, points=3, tol=1e-2, hint=hint, forbid=forbid, timeout=120),
            Check("fit_law (hidden)", fit_law, hidden, points=1, tol=1e-2, hidden=True, func="fit_law", hint=hint,
                  forbid=forbid, timeout=120)]


def _optimal_checks(Check, Case) -> list:
    even = {"E": 1.0, "A": 100.0, "B": 100.0, "alpha": 0.5, "beta": 0.5}
    cases = [Case("Chinchilla's fit, Gopher's budget (5.76e23 FLOPs)", (CHINCHILLA, 5.76e23)),
             Case("Chinchilla's fit, 1e21 FLOPs", (CHINCHILLA, 1e21)),
             Case("the made-up law, our grid's largest budget (6 * 4e5 * 4e5)", (MADE_UP, 6 * 4e5 * 4e5)),
             Case("alpha = beta and A = B: N = D = sqrt(C/6)", (even, 6e12)),
             Case("alpha > beta", ({"E": 0.5, "A": 2000.0, "B": 50.0, "alpha": 0.7, "beta": 0.3}, 1e15))]
    hidden = [Case("another law, 1e18 FLOPs", ({"E": 2.5, "A": 300.0, "B": 3000.0, "alpha": 0.3, "beta": 0.5}, 1e18)),
              Case("Chinchilla's fit, 1e25 FLOPs", (CHINCHILLA, 1e25))]
    hint = ("minimize A/N^alpha + B/D^beta with D = C/(6N): set the derivative in N to 0; N_opt = G (C/6)^(beta/"
            "(alpha+beta)) with G = (alpha A / (beta B))^(1/(alpha+beta)), and D_opt = C / (6 N_opt); a tuple of two "
            "floats (relative tolerance 1e-6)")
    forbid = (compute_optimal, compute_optimal_closed, brute_force_optimal)
    return [Check("compute_optimal", compute_optimal, cases, points=2, tol=1e-6, hint=hint, forbid=forbid),
            Check("compute_optimal (hidden)", compute_optimal, hidden, points=1, tol=1e-6, hidden=True,
                  func="compute_optimal", hint=hint, forbid=forbid)]


def lab_checks() -> list:
    "The checks of lab 04f (see `course_lib.grading`)."
    from course_lib.grading import Case, Check
    return [*_objective_checks(Check, Case), *_fit_checks(Check, Case), *_optimal_checks(Check, Case)]
