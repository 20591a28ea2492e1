# Plausible wrong answers to lab 04f. Each runs in the kernel that ran the solution (it sees its globals: math,
# itertools, torch, law_objective, fit_law, compute_optimal, ...) and must lose visible points of its exercise.
# `mistake` is injected by the grader.

# --- law_objective ---------------------------------------------------------------------------------------------------
def _objective(params, logN, logD, logL, delta=1e-3, combine=None, loss=None, linear=False, reduce=None):
    "The solution's objective with one thing changed."
    a, b, e, alpha, beta = (p[:, None] for p in params.unbind(-1))
    terms = torch.stack(torch.broadcast_tensors(a - alpha * logN, b - beta * logD, e))
    pred = combine(terms) if combine else torch.logsumexp(terms, 0)
    r = pred.exp() - logL.exp() if linear else pred - logL
    out = loss(r, delta) if loss else torch.where(r.abs() <= delta, 0.5 * r ** 2, delta * (r.abs() - 0.5 * delta))
    return reduce(out) if reduce else out.sum(-1)


@mistake("law_objective")
def squared_loss_not_huber(params, logN, logD, logL, delta=1e-3):
    "Least squares on the log residuals: 0.5 r^2 everywhere, so large residuals weigh quadratically."
    return _objective(params, logN, logD, logL, delta, loss=lambda r, d: 0.5 * r ** 2)


@mistake("law_objective")
def max_instead_of_logsumexp(params, logN, logD, logL, delta=1e-3):
    "Predicts log L by the largest of the three log terms (log of a sum taken as the log of its biggest part)."
    return _objective(params, logN, logD, logL, delta, combine=lambda t: t.max(0).values)


@mistake("law_objective")
def residuals_of_losses_not_logs(params, logN, logD, logL, delta=1e-3):
    "Takes the residual between the losses themselves (exp of both sides), not between their logs."
    return _objective(params, logN, logD, logL, delta, linear=True)


@mistake("law_objective")
def mean_over_runs(params, logN, logD, logL, delta=1e-3):
    "Averages the Huber losses over the runs instead of summing them."
    return _objective(params, logN, logD, logL, delta, reduce=lambda h: h.mean(-1))


@mistake("law_objective")
def huber_linear_part_unshifted(params, logN, logD, logL, delta=1e-3):
    "Writes Huber's linear part as delta * |r| (forgets - 0.5 delta): the loss jumps at |r| = delta."
    return _objective(params, logN, logD, logL, delta,
                      loss=lambda r, d: torch.where(r.abs() <= d, 0.5 * r ** 2, d * r.abs()))


# --- fit_law ---------------------------------------------------------------------------------------------------------
def _fit(N, D, L, log_nd=torch.log, objective=None, keys=("E", "A", "B", "alpha", "beta"),
         raw=False):
    "The solution's fit with one thing changed."
    objective = objective or law_objective
    logN, logD = (log_nd(torch.tensor(v, dtype=torch.float64)) for v in (N, D))
    logL = torch.tensor(L, dtype=torch.float64).log()
    cands = torch.tensor(list(itertools.product(range(0, 30, 5), range(0, 30, 5), (-1., -.5, 0., .5, 1.),
                                                (0., .5, 1., 1.5, 2.), (0., .5, 1., 1.5, 2.))), dtype=torch.float64)
    cands = cands[objective(cands, logN, logD, logL).argsort()[:8]]
    best = None
    for start in cands:
        p = start.clone()[None].requires_grad_(True)
        opt = torch.optim.LBFGS([p], max_iter=1000, line_search_fn="strong_wolfe", tolerance_grad=1e-12,
                                tolerance_change=1e-15, history_size=50)
        def closure():
            opt.zero_grad()
            loss = objective(p, logN, logD, logL).sum()
            loss.backward()
            return loss
        opt.step(closure)
        obj = objective(p.detach(), logN, logD, logL).item()
        if best is None or obj < best[0]: best = (obj, p.detach()[0])
    a, b, e, alpha, beta = best[1].tolist()
    vals = (e, a, b, alpha, beta) if raw else (math.exp(e), math.exp(a), math.exp(b), alpha, beta)
    return dict(zip(keys, vals))


@mistake("fit_law")
def returns_the_logs(N, D, L):
    "Returns a, b, e (the fitted logs) as A, B, E, without exponentiating them."
    return _fit(N, D, L, raw=True)


@mistake("fit_law")
def least_squares_on_losses(N, D, L):
    "Least squares on L itself (no logs, no Huber): exact on noiseless runs, dragged by an outlier."
    def sq(params, logN, logD, logL):
        a, b, e, alpha, beta = (p[:, None] for p in params.unbind(-1))
        pred = a.exp() / logN.exp() ** alpha + b.exp() / logD.exp() ** beta + e.exp()
        return ((pred - logL.exp()) ** 2).sum(-1)
    return _fit(N, D, L, objective=sq)


@mistake("fit_law")
def log10_of_N_and_D(N, D, L):
    "Takes log10 of N and D (and ln of L): the exponents come out ln(10) times too large."
    return _fit(N, D, L, log_nd=torch.log10)


@mistake("fit_law")
def alpha_and_beta_swapped(N, D, L):
    "Returns the model-size exponent as beta and the data exponent as alpha."
    return _fit(N, D, L, keys=("E", "A", "B", "beta", "alpha"))


@mistake("fit_law")
def huber_delta_of_one(N, D, L):
    "Huber with delta = 1 instead of 1e-3: every log residual is inside it, so it is least squares on the logs."
    return _fit(N, D, L, objective=lambda p, n, d, l: law_objective(p, n, d, l, 1.0))


# --- compute_optimal -------------------------------------------------------------------------------------------------
def _optimal(fit, C, exponent=None, g=None, six=6):
    a, b = fit["alpha"], fit["beta"]
    G = g(fit) if g else (a * fit["A"] / (b * fit["B"])) ** (1 / (a + b))
    n_opt = G * (C / six) ** (exponent if exponent is not None else b / (a + b))
    return n_opt, C / (six * n_opt)


@mistake("compute_optimal")
def exponent_alpha_over_sum(fit, C):
    "N_opt grows as C^(alpha/(alpha+beta)): the data exponent's share given to the parameters."
    return _optimal(fit, C, exponent=fit["alpha"] / (fit["alpha"] + fit["beta"]))


@mistake("compute_optimal")
def forgets_the_six(fit, C):
    "Uses C = N D (no factor 6 for the FLOPs of a forward and backward pass per parameter and token)."
    return _optimal(fit, C, six=1)


@mistake("compute_optimal")
def G_upside_down(fit, C):
    "G = (beta B / (alpha A))^(1/(alpha+beta)): the ratio inverted."
    a, b = fit["alpha"], fit["beta"]
    return _optimal(fit, C, g=lambda f: (b * f["B"] / (a * f["A"])) ** (1 / (a + b)))


@mistake("compute_optimal")
def D_from_C_over_N(fit, C):
    "Gets N_opt right, then D_opt = C / N_opt (forgets the 6 there only)."
    n_opt = _optimal(fit, C)[0]
    return n_opt, C / n_opt


@mistake("compute_optimal")
def G_without_the_root(fit, C):
    "G = alpha A / (beta B), without the power 1/(alpha+beta)."
    return _optimal(fit, C, g=lambda f: f["alpha"] * f["A"] / (f["beta"] * f["B"]))
