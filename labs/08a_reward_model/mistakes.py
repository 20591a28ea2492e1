# Plausible wrong answers to lab 08a. Each runs in the kernel that ran the solution (it sees its globals: math, torch,
# F, bradley_terry_loss, pairwise_accuracy, margin_by_kind, ...) and must lose visible points of its exercise.
# `mistake` is injected by the grader.

# --- bradley_terry_loss -----------------------------------------------------------------------------------------------
def _bt(chosen_rewards, rejected_rewards, margin=None, log_of_sigmoid=False, swapped=False, reduce="mean",
        margin_sign=-1, use_margin=True):
    "The solution's loss with one thing changed."
    if chosen_rewards.shape != rejected_rewards.shape:
        raise ValueError("chosen and rejected rewards differ in shape")
    d = rejected_rewards - chosen_rewards if swapped else chosen_rewards - rejected_rewards
    if margin is not None and use_margin:
        d = d + margin_sign * margin
    per_pair = -torch.log(torch.sigmoid(d)) if log_of_sigmoid else -F.logsigmoid(d)
    return per_pair.sum() if reduce == "sum" else per_pair.mean()


@mistake("bradley_terry_loss")
def log_of_sigmoid(chosen_rewards, rejected_rewards, margin=None):
    "Computes sigmoid, then its log: log(0) = -inf in float32 for a pair ranked wrong by 200 or more."
    return _bt(chosen_rewards, rejected_rewards, margin, log_of_sigmoid=True)


@mistake("bradley_terry_loss")
def sign_swapped(chosen_rewards, rejected_rewards, margin=None):
    "Uses r_rejected - r_chosen: rewards the model for preferring the rejected answer."
    return _bt(chosen_rewards, rejected_rewards, margin, swapped=True)


@mistake("bradley_terry_loss")
def sum_not_mean(chosen_rewards, rejected_rewards, margin=None):
    "Sums the pairs' losses instead of averaging them: the loss grows with the batch size."
    return _bt(chosen_rewards, rejected_rewards, margin, reduce="sum")


@mistake("bradley_terry_loss")
def margin_added(chosen_rewards, rejected_rewards, margin=None):
    "Adds the margin to the difference: makes the loss smaller, not larger."
    return _bt(chosen_rewards, rejected_rewards, margin, margin_sign=1)


@mistake("bradley_terry_loss")
def margin_ignored(chosen_rewards, rejected_rewards, margin=None):
    "Accepts a margin and never uses it."
    return _bt(chosen_rewards, rejected_rewards, margin, use_margin=False)


@mistake("bradley_terry_loss")
def no_minus_sign(chosen_rewards, rejected_rewards, margin=None):
    "Returns the mean log-likelihood (logsigmoid), not its negative: maximising it is minimising the loss."
    return -_bt(chosen_rewards, rejected_rewards, margin)


@mistake("bradley_terry_loss")
def clamped_log_of_sigmoid(chosen_rewards, rejected_rewards, margin=None):
    "log(sigmoid(d) + 1e-8) to avoid log 0: finite, but a pair ranked wrong by 1000 costs about 18, not 1000."
    if chosen_rewards.shape != rejected_rewards.shape:
        raise ValueError("chosen and rejected rewards differ in shape")
    d = chosen_rewards - rejected_rewards
    if margin is not None:
        d = d - margin
    return -torch.log(torch.sigmoid(d) + 1e-8).mean()


# --- pairwise_accuracy ------------------------------------------------------------------------------------------------
def _acc(chosen_rewards, rejected_rewards, compare=lambda c, r: c > r, share=True):
    if chosen_rewards.shape != rejected_rewards.shape or chosen_rewards.numel() == 0:
        raise ValueError("need two non-empty reward tensors of one shape")
    hits = compare(chosen_rewards, rejected_rewards).float()
    return hits.mean().item() if share else hits.sum().item()


@mistake("pairwise_accuracy")
def ties_count_right(chosen_rewards, rejected_rewards):
    "Counts a tie as right (>=): an untrained head that gives every answer 0 scores 1.0."
    return _acc(chosen_rewards, rejected_rewards, compare=lambda c, r: c >= r)


@mistake("pairwise_accuracy")
def comparison_reversed(chosen_rewards, rejected_rewards):
    "Counts the pairs where the rejected answer wins."
    return _acc(chosen_rewards, rejected_rewards, compare=lambda c, r: c < r)


@mistake("pairwise_accuracy")
def count_not_share(chosen_rewards, rejected_rewards):
    "Returns how many pairs are right, not the share of them."
    return _acc(chosen_rewards, rejected_rewards, share=False)


@mistake("pairwise_accuracy")
def ties_count_half(chosen_rewards, rejected_rewards):
    "Gives a tie half a point (the convention of some leaderboards, not this lab's)."
    if chosen_rewards.shape != rejected_rewards.shape or chosen_rewards.numel() == 0:
        raise ValueError("need two non-empty reward tensors of one shape")
    wins = (chosen_rewards > rejected_rewards).float() + 0.5 * (chosen_rewards == rejected_rewards).float()
    return wins.mean().item()


@mistake("pairwise_accuracy")
def no_shape_check(chosen_rewards, rejected_rewards):
    "Never checks the shapes: broadcasting compares every chosen reward with every rejected one, or crashes."
    return (chosen_rewards > rejected_rewards).float().mean().item()


# --- margin_by_kind ---------------------------------------------------------------------------------------------------
def _margins(chosen_rewards, rejected_rewards, kinds, stat=lambda x: x.mean(), sign=1, overall="pairs", with_all=True):
    if not (len(chosen_rewards) == len(rejected_rewards) == len(kinds)) or len(kinds) == 0:
        raise ValueError("give one chosen reward, one rejected reward and one kind per pair")
    margins = sign * (chosen_rewards - rejected_rewards).double()
    out = {}
    for kind in sorted(set(kinds)):
        out[kind] = stat(margins[torch.tensor([k == kind for k in kinds])]).item()
    if with_all:
        out["all"] = (stat(margins) if overall == "pairs" else torch.tensor(list(out.values())).mean()).item()
    return out


@mistake("margin_by_kind")
def all_is_mean_of_kinds(chosen_rewards, rejected_rewards, kinds):
    "'all' is the mean of the kinds' means: wrong when kinds have different sizes."
    return _margins(chosen_rewards, rejected_rewards, kinds, overall="kinds")


@mistake("margin_by_kind")
def rejected_minus_chosen(chosen_rewards, rejected_rewards, kinds):
    "Takes r_rejected - r_chosen: every margin has the wrong sign."
    return _margins(chosen_rewards, rejected_rewards, kinds, sign=-1)


@mistake("margin_by_kind")
def absolute_margins(chosen_rewards, rejected_rewards, kinds):
    "Averages |r_chosen - r_rejected|: a pair ranked the wrong way counts as a win."
    return _margins(chosen_rewards, rejected_rewards, kinds, stat=lambda x: x.abs().mean())


@mistake("margin_by_kind")
def median_not_mean(chosen_rewards, rejected_rewards, kinds):
    "Takes the median margin of each kind, not the mean."
    return _margins(chosen_rewards, rejected_rewards, kinds, stat=lambda x: x.median())


@mistake("margin_by_kind")
def no_all_key(chosen_rewards, rejected_rewards, kinds):
    "Leaves out the 'all' entry."
    return _margins(chosen_rewards, rejected_rewards, kinds, with_all=False)
