# Plausible wrong answers to lab 09c. Each runs in the kernel that ran the solution (it sees its globals: math, torch,
# slerp, trim, elect_sign, disjoint_mean, ties_merge, ...) and must lose visible points of its exercise. `mistake` is
# injected by the grader.

# --- slerp -----------------------------------------------------------------------------------------------------------
def _slerp(a, b, t, cos=None, fallback=True, unit_weights=False, swapped=False):
    "The solution's SLERP with one thing changed."
    cos = cos(a, b) if cos else (a.flatten() / a.norm() * (b.flatten() / b.norm())).sum().item()
    if fallback and abs(cos) > 0.9995:
        return (1 - t) * a + t * b
    omega = math.acos(cos)
    if unit_weights:
        a, b = a / a.norm(), b / b.norm()
    w_a, w_b = math.sin((1 - t) * omega), math.sin(t * omega)
    if swapped:
        w_a, w_b = w_b, w_a
    return (w_a * a + w_b * b) / math.sin(omega)


@mistake("slerp")
def lerp_instead(a, b, t):
    "Plain linear interpolation everywhere: the chord, not the arc."
    return (1 - t) * a + t * b


@mistake("slerp")
def angle_from_raw_dot(a, b, t):
    "Takes the angle from the dot product of the unnormalized tensors."
    return _slerp(a, b, t, cos=lambda a, b: (a.flatten() * b.flatten()).sum().item())


@mistake("slerp")
def no_parallel_fallback(a, b, t):
    "Always divides by sin(angle), even for (anti)parallel tensors (computed in torch: NaN or huge weights)."
    cos = torch.clamp((a.flatten() / a.norm() * (b.flatten() / b.norm())).sum(), -1, 1)
    omega = torch.acos(cos)
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


@mistake("slerp")
def t_weights_swapped(a, b, t):
    "Puts sin(t * angle) on a and sin((1 - t) * angle) on b."
    return _slerp(a, b, t, swapped=True)


@mistake("slerp")
def weights_on_unit_vectors(a, b, t):
    "Applies the sin weights to the normalized tensors: every result has norm 1."
    return _slerp(a, b, t, unit_weights=True)


# --- trim ------------------------------------------------------------------------------------------------------------
def _trim(x, density, k=None, order=None, at_least_one=True):
    flat = x.flatten()
    k = k(density, flat.numel()) if k else int(density * flat.numel())
    if at_least_one:
        k = max(1, k)
    keep = (order or (lambda f: f.abs().argsort(descending=True, stable=True)))(flat)[:k]
    out = torch.zeros_like(flat)
    out[keep] = flat[keep]
    return out.view_as(x)


@mistake("trim")
def keeps_the_smallest(task_vector, density):
    "Keeps the entries of smallest magnitude."
    return _trim(task_vector, density, order=lambda f: f.abs().argsort(stable=True))


@mistake("trim")
def density_as_dropped_fraction(task_vector, density):
    "Reads density as the fraction to drop: keeps (1 - density) of the entries."
    return _trim(task_vector, 1 - density) if density < 1 else task_vector.clone()


@mistake("trim")
def largest_values_not_magnitudes(task_vector, density):
    "Keeps the largest values (signed), so large negative changes are dropped."
    return _trim(task_vector, density, order=lambda f: f.argsort(descending=True, stable=True))


@mistake("trim")
def per_row(task_vector, density):
    "Trims each row on its own instead of the whole tensor."
    if task_vector.dim() < 2:
        return trim(task_vector, density)
    return torch.stack([trim(row, density) for row in task_vector])


@mistake("trim")
def last_of_the_ties(task_vector, density):
    "Breaks ties at the cut by keeping the later entry."
    flip = task_vector.flatten().flip(0)
    return _trim(flip, density).flip(0).view_as(task_vector)


@mistake("trim")
def none_kept_at_low_density(task_vector, density):
    "Keeps int(density * n) entries, which is 0 for a tiny tensor."
    return _trim(task_vector, density, at_least_one=False)


# --- elect_sign ------------------------------------------------------------------------------------------------------
@mistake("elect_sign")
def majority_of_signs(trimmed_vectors):
    "Elects by counting signs instead of summing the values."
    return torch.where(trimmed_vectors.sign().sum(0) >= 0, 1.0, -1.0)


@mistake("elect_sign")
def torch_sign_of_sum(trimmed_vectors):
    "Returns torch.sign of the sum: 0 where the sum is 0."
    return torch.sign(trimmed_vectors.sum(0))


@mistake("elect_sign")
def zero_sum_elects_minus(trimmed_vectors):
    "A sum of exactly 0 elects -1."
    return torch.where(trimmed_vectors.sum(0) > 0, 1.0, -1.0)


@mistake("elect_sign")
def sign_of_the_first_model(trimmed_vectors):
    "Takes the first task vector's sign."
    return torch.where(trimmed_vectors[0] >= 0, 1.0, -1.0)


# --- disjoint_mean ---------------------------------------------------------------------------------------------------
@mistake("disjoint_mean")
def mean_over_all_models(trimmed_vectors, sign):
    "Divides the agreeing sum by the number of models, not by how many agree."
    agree = (trimmed_vectors.sign() == sign).float()
    return (agree * trimmed_vectors).sum(0) / trimmed_vectors.shape[0]


@mistake("disjoint_mean")
def divides_by_zero(trimmed_vectors, sign):
    "Divides by the count of agreeing values even where it is 0: NaN there."
    agree = (trimmed_vectors.sign() == sign).float()
    return (agree * trimmed_vectors).sum(0) / agree.sum(0)


@mistake("disjoint_mean")
def zeros_count_as_agreeing(trimmed_vectors, sign):
    "Counts trimmed zeros as agreeing (value * sign >= 0), so they pull the mean towards 0."
    agree = (trimmed_vectors * sign >= 0).float()
    return (agree * trimmed_vectors).sum(0) / agree.sum(0).clamp(min=1)


@mistake("disjoint_mean")
def sums_instead_of_mean(trimmed_vectors, sign):
    "Adds the agreeing values without dividing."
    return ((trimmed_vectors.sign() == sign).float() * trimmed_vectors).sum(0)


# --- ties_merge ------------------------------------------------------------------------------------------------------
@mistake("ties_merge")
def forgets_the_base(base, finetuned, density):
    "Returns the merged task vector without adding the base back."
    return {k: v - base[k] for k, v in ties_merge(base, finetuned, density).items()}


@mistake("ties_merge")
def one_cut_per_model(base, finetuned, density):
    "Trims each model's whole task vector (all tensors together) with one cut, not each tensor on its own."
    names, out = list(base), {}
    flat = [trim(torch.cat([(m[k] - base[k]).flatten() for k in names]), density) for m in finetuned]
    offset = 0
    for k in names:
        n = base[k].numel()
        trimmed = torch.stack([f[offset:offset + n].view_as(base[k]) for f in flat])
        out[k] = base[k] + disjoint_mean(trimmed, elect_sign(trimmed))
        offset += n
    return out


@mistake("ties_merge")
def mean_of_all_task_vectors(base, finetuned, density):
    "Averages the trimmed task vectors over every model, disagreeing ones and zeros included."
    out = {}
    for k, v in base.items():
        trimmed = torch.stack([trim(m[k] - v, density) for m in finetuned])
        out[k] = v + trimmed.mean(0)
    return out


@mistake("ties_merge")
def no_trim(base, finetuned, density):
    "Skips the trim: every entry of every task vector takes part."
    return ties_merge(base, finetuned, 1.0)
