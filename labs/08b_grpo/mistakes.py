# Plausible wrong answers to lab 08b. Each runs in the kernel that ran the solution (it sees its globals: json, torch,
# parse_question, group_advantages, json_score, no_signal_fraction, ...) and must lose visible points of its exercise.
# `mistake` is injected by the grader.

# --- group_advantages ------------------------------------------------------------------------------------------------
def _advantages(rewards, num_generations, scale="group", unbiased=True, eps=1e-4, mean=None, groups=None, check=True):
    "The solution's advantages with one thing changed."
    r = torch.as_tensor(rewards, dtype=torch.float32).flatten()
    if check and len(r) % num_generations:
        raise ValueError(f"{len(r)} rewards do not make whole groups of num_generations={num_generations}")
    g = groups(r, num_generations) if groups else r.view(-1, num_generations)
    base = mean(r, g) if mean else g.mean(dim=1, keepdim=True)
    adv = g - base
    if scale == "none":
        return (adv.T if groups else adv).flatten()
    std = g.std(dim=1, keepdim=True, unbiased=unbiased) if scale == "group" else r.std(unbiased=unbiased)
    out = adv / (std + eps)
    return (out.T if groups else out).flatten()


@mistake("group_advantages")
def population_std(rewards, num_generations, scale="group"):
    "Divides by the population std (n instead of n - 1): trl uses the sample std."
    return _advantages(rewards, num_generations, scale, unbiased=False)


@mistake("group_advantages")
def global_mean(rewards, num_generations, scale="group"):
    "Subtracts the mean of the whole batch instead of each group's own mean."
    return _advantages(rewards, num_generations, scale, mean=lambda r, g: r.mean())


@mistake("group_advantages")
def groups_strided(rewards, num_generations, scale="group"):
    "Reshapes in the wrong order (view(num_generations, -1)): a 'group' takes every B-th reward, not G consecutive."
    return _advantages(rewards, num_generations, scale, groups=lambda r, n: r.view(n, -1).T)


@mistake("group_advantages")
def no_epsilon(rewards, num_generations, scale="group"):
    "Divides by the std alone: a group of equal rewards gives 0/0 = NaN, and tiny spreads blow up."
    return _advantages(rewards, num_generations, scale, eps=0.0)


@mistake("group_advantages")
def batch_scale_uses_group_std(rewards, num_generations, scale="group"):
    "Ignores scale='batch': always divides by the group's std."
    return _advantages(rewards, num_generations, "none" if scale == "none" else "group")


@mistake("group_advantages")
def none_still_divides(rewards, num_generations, scale="group"):
    "scale='none' still divides by the group's std."
    return _advantages(rewards, num_generations, "group" if scale == "none" else scale)


@mistake("group_advantages")
def epsilon_inside_the_root(rewards, num_generations, scale="group"):
    "Adds 1e-4 to the variance instead of to the std."
    r = torch.as_tensor(rewards, dtype=torch.float32).flatten()
    if len(r) % num_generations:
        raise ValueError(f"{len(r)} rewards do not make whole groups of num_generations={num_generations}")
    g = r.view(-1, num_generations)
    adv = (g - g.mean(dim=1, keepdim=True)).flatten()
    if scale == "none":
        return adv
    var = g.var(dim=1, keepdim=True).expand_as(g).flatten() if scale == "group" else r.var()
    return adv / torch.sqrt(var + 1e-4)


@mistake("group_advantages")
def no_length_check(rewards, num_generations, scale="group"):
    "Never checks that the rewards make whole groups (a short last group is silently dropped or crashes oddly)."
    r = torch.as_tensor(rewards, dtype=torch.float32).flatten()
    r = r[:len(r) - len(r) % num_generations]
    return _advantages(r, num_generations, scale, check=False)


# --- json_score ------------------------------------------------------------------------------------------------------
def _keys(question):
    return {pair.split("=")[0] for pair in parse_question("to_json", question)["pairs"].split(",")}


@mistake("json_score")
def loads_without_try(question, response):
    "Calls json.loads without a try: crashes on the first reply that is not JSON."
    obj = json.loads(response)
    if not isinstance(obj, dict):
        return 0.0
    return 0.5 if set(obj) == _keys(question) else 0.25


@mistake("json_score")
def any_json_counts(question, response):
    "Gives 0.25 to anything that parses, lists, numbers and null included."
    try:
        obj = json.loads(response)
    except json.JSONDecodeError:
        return 0.0
    return 0.5 if isinstance(obj, dict) and set(obj) == _keys(question) else 0.25


@mistake("json_score")
def key_order_matters(question, response):
    "Compares the keys as lists: the right keys in another order get only 0.25."
    try:
        obj = json.loads(response)
    except json.JSONDecodeError:
        return 0.0
    if not isinstance(obj, dict):
        return 0.0
    keys = [pair.split("=")[0] for pair in parse_question("to_json", question)["pairs"].split(",")]
    return 0.5 if list(obj) == keys else 0.25


@mistake("json_score")
def values_must_match_too(question, response):
    "Gives 0.5 only to the exactly right object: a wrong value drops the format credit to 0.25."
    try:
        obj = json.loads(response)
    except json.JSONDecodeError:
        return 0.0
    if not isinstance(obj, dict):
        return 0.0
    pairs = dict(pair.split("=") for pair in parse_question("to_json", question)["pairs"].split(","))
    return 0.5 if obj == {k: int(v) for k, v in pairs.items()} else 0.25


@mistake("json_score")
def subset_of_keys_is_enough(question, response):
    "Gives 0.5 when the object's keys are among the question's: a missing key still earns full format credit."
    try:
        obj = json.loads(response)
    except json.JSONDecodeError:
        return 0.0
    if not isinstance(obj, dict):
        return 0.0
    return 0.5 if set(obj) <= _keys(question) else 0.25


@mistake("json_score")
def looks_like_an_object(question, response):
    "Checks the braces instead of parsing: a reply cut off or with single quotes still counts."
    text = response.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return 0.0
    return 0.5 if all(f'"{k}"' in text for k in _keys(question)) else 0.25


# --- no_signal_fraction ----------------------------------------------------------------------------------------------
@mistake("no_signal_fraction")
def only_all_wrong_groups(rewards, num_generations):
    "Counts only the groups where every reward is 0: all-right groups teach nothing either."
    groups = torch.as_tensor(rewards, dtype=torch.float32).view(-1, num_generations)
    return (groups == 0).all(dim=1).float().mean().item()


@mistake("no_signal_fraction")
def count_not_fraction(rewards, num_generations):
    "Returns how many groups have no signal, not their share."
    groups = torch.as_tensor(rewards, dtype=torch.float32).view(-1, num_generations)
    return float((groups == groups[:, :1]).all(dim=1).sum().item())


@mistake("no_signal_fraction")
def strided_groups(rewards, num_generations):
    "Reshapes in the wrong order: a 'group' takes every B-th reward."
    groups = torch.as_tensor(rewards, dtype=torch.float32).view(num_generations, -1).T
    return (groups == groups[:, :1]).all(dim=1).float().mean().item()


@mistake("no_signal_fraction")
def share_of_answers_equal_to_mean(rewards, num_generations):
    "Counts answers equal to their group's mean instead of groups whose answers are all equal."
    groups = torch.as_tensor(rewards, dtype=torch.float32).view(-1, num_generations)
    return (groups == groups.mean(dim=1, keepdim=True)).float().mean().item()
