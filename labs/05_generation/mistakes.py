# Plausible wrong answers to lab 05: each must lose visible points of its exercise (see course_lib.grading.mistake).
# Executed in the kernel that ran the solution: torch and the solution's functions are in scope.

@mistake("top_k_filter")
def drops_the_kth(logits, k):
    "Keeps only scores strictly above the k-th largest: k - 1 tokens survive."
    if k == 0 or k >= logits.shape[-1]:
        return logits
    kth_best = torch.topk(logits, k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits <= kth_best, float("-inf"))

@mistake("top_k_filter")
def one_threshold_for_the_batch(logits, k):
    "Takes the k-th largest score of the whole tensor, not of each row."
    if k == 0 or k >= logits.shape[-1]:
        return logits
    kth_best = torch.topk(logits.flatten(), k).values[-1]
    return logits.masked_fill(logits < kth_best, float("-inf"))

@mistake("top_k_filter")
def k_zero_not_off(logits, k):
    "Treats k = 0 as 'keep nothing' instead of 'off'."
    if k >= logits.shape[-1]:
        return logits
    if k == 0:
        return torch.full_like(logits, float("-inf"))
    kth_best = torch.topk(logits, k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth_best, float("-inf"))

@mistake("top_k_filter")
def keeps_k_plus_one(logits, k):
    "Uses the (k+1)-th largest score as the threshold."
    if k == 0 or k + 1 >= logits.shape[-1]:
        return logits
    kth_best = torch.topk(logits, k + 1, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth_best, float("-inf"))

@mistake("top_p_filter")
def mass_includes_own_probability(logits, p):
    "Drops a token once the mass up to and including it reaches p: the crossing token (even the top one) is lost."
    if p >= 1:
        return logits
    ranked, order = torch.sort(logits, dim=-1, descending=True)
    drop_ranked = ranked.softmax(-1).cumsum(-1) >= p
    drop = torch.zeros_like(drop_ranked).scatter(-1, order, drop_ranked)
    return logits.masked_fill(drop, float("-inf"))

@mistake("top_p_filter")
def mask_left_in_ranked_order(logits, p):
    "Applies the drop decisions, made in ranked order, to the scores in vocabulary order."
    if p >= 1:
        return logits
    ranked, _ = torch.sort(logits, dim=-1, descending=True)
    probs = ranked.softmax(-1)
    return logits.masked_fill(probs.cumsum(-1) - probs >= p, float("-inf"))

@mistake("top_p_filter")
def accumulates_scores_not_probabilities(logits, p):
    "Forgets the softmax: accumulates raw scores against p."
    if p >= 1:
        return logits
    ranked, order = torch.sort(logits, dim=-1, descending=True)
    drop_ranked = ranked.cumsum(-1) - ranked >= p
    drop = torch.zeros_like(drop_ranked).scatter(-1, order, drop_ranked)
    return logits.masked_fill(drop, float("-inf"))

@mistake("repetition_penalty_filter")
def divides_negative_scores_too(logits, ids, penalty):
    "Divides every seen score by the penalty: a negative score moves up."
    if penalty == 1 or not ids:
        return logits
    seen = torch.tensor(sorted(set(ids)))
    return logits.index_copy(0, seen, logits[seen] / penalty)

@mistake("repetition_penalty_filter")
def penalizes_each_occurrence(logits, ids, penalty):
    "Applies the penalty once per occurrence: a token seen three times is penalized three times."
    out = logits.clone()
    for i in ids:
        out[i] = out[i] / penalty if out[i] > 0 else out[i] * penalty
    return out

@mistake("repetition_penalty_filter")
def signs_swapped(logits, ids, penalty):
    "Multiplies the positive and divides the negative scores: repeats become more likely."
    if penalty == 1 or not ids:
        return logits
    seen = torch.tensor(sorted(set(ids)))
    scores = logits[seen]
    return logits.index_copy(0, seen, torch.where(scores > 0, scores * penalty, scores / penalty))

@mistake("next_token")
def top_p_before_temperature(logits, ids, temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.0,
                             generator=None):
    "Measures the nucleus before the temperature reshapes the distribution."
    scores = repetition_penalty_filter(logits.float(), ids, repetition_penalty)
    if temperature == 0:
        return int(scores.argmax())
    scores = top_p_filter(top_k_filter(scores, top_k), top_p) / temperature
    return int(torch.multinomial(scores.softmax(-1), 1, generator=generator))

@mistake("next_token")
def greedy_ignores_penalty(logits, ids, temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.0,
                           generator=None):
    "Returns the argmax before applying the repetition penalty."
    if temperature == 0:
        return int(logits.argmax())
    scores = repetition_penalty_filter(logits.float(), ids, repetition_penalty)
    scores = top_p_filter(top_k_filter(scores / temperature, top_k), top_p)
    return int(torch.multinomial(scores.softmax(-1), 1, generator=generator))

@mistake("next_token")
def ignores_the_generator(logits, ids, temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.0,
                          generator=None):
    "Draws from torch's global random state instead of the seeded generator."
    scores = repetition_penalty_filter(logits.float(), ids, repetition_penalty)
    if temperature == 0:
        return int(scores.argmax())
    scores = top_p_filter(top_k_filter(scores / temperature, top_k), top_p)
    return int(torch.multinomial(scores.softmax(-1), 1))

@mistake("next_token")
def temperature_ignored(logits, ids, temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.0, generator=None):
    "Samples at temperature 1 whatever the temperature."
    scores = repetition_penalty_filter(logits.float(), ids, repetition_penalty)
    if temperature == 0:
        return int(scores.argmax())
    scores = top_p_filter(top_k_filter(scores, top_k), top_p)
    return int(torch.multinomial(scores.softmax(-1), 1, generator=generator))

def _validate(model, ids, max_new_tokens, temperature, top_k, top_p, repetition_penalty):
    "The solution's checks of the settings (for the mistakes below)."
    if not ids:
        raise ValueError("the prompt is empty")
    if not temperature >= 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if not (isinstance(top_k, int) and top_k >= 0):
        raise ValueError(f"top_k must be an int >= 0, got {top_k}")
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    if not repetition_penalty > 0:
        raise ValueError(f"repetition_penalty must be > 0, got {repetition_penalty}")
    if len(ids) + max_new_tokens > model.config.max_position_embeddings:
        raise ValueError("too long for the model's context")

@torch.no_grad()
def _loop(model, ids, max_new_tokens=50, temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.0, seed=0,
          eos_id=None, validate=True, stop=True, yield_eos=True, reseed=False, prompt_counts=True):
    "The solution's loop with one thing changed (for the mistakes below)."
    ids = list(ids)
    if validate:
        _validate(model, ids, max_new_tokens, temperature, top_k, top_p, repetition_penalty)
    eos_id = model.config.eos_token_id if eos_id is None else eos_id
    generator = torch.Generator().manual_seed(seed)
    seen = list(ids) if prompt_counts else []
    x, past = torch.tensor([ids]), None
    for _ in range(max_new_tokens):
        out = model(input_ids=x, past_key_values=past, use_cache=True)
        past = out.past_key_values
        if reseed:
            generator = torch.Generator().manual_seed(seed)
        token = next_token(out.logits[0, -1].float(), seen, temperature, top_k, top_p, repetition_penalty, generator)
        if stop and token == eos_id:
            if yield_eos:
                yield token
            return
        yield token
        seen.append(token)
        x = torch.tensor([[token]])

@mistake("generate_ids")
def never_stops_at_eos(model, ids, max_new_tokens=50, temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.0,
                       seed=0, eos_id=None):
    "Ignores the end-of-text token and always generates max_new_tokens."
    return _loop(model, ids, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, eos_id, stop=False)

@mistake("generate_ids")
def eos_not_yielded(model, ids, max_new_tokens=50, temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.0,
                    seed=0, eos_id=None):
    "Stops at the end-of-text token without yielding it: the caller cannot tell it from running out of tokens."
    return _loop(model, ids, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, eos_id,
                 yield_eos=False)

@mistake("generate_ids")
def reseeds_every_step(model, ids, max_new_tokens=50, temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.0,
                       seed=0, eos_id=None):
    "Makes a fresh generator with the same seed at every step: every draw uses the same random number."
    return _loop(model, ids, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, eos_id, reseed=True)

@mistake("generate_ids")
def penalty_ignores_the_prompt(model, ids, max_new_tokens=50, temperature=0.0, top_k=0, top_p=1.0,
                               repetition_penalty=1.0, seed=0, eos_id=None):
    "Penalizes only the generated tokens, not the prompt's."
    return _loop(model, ids, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, eos_id,
                 prompt_counts=False)

@mistake("generate_ids")
def no_validation(model, ids, max_new_tokens=50, temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.0,
                  seed=0, eos_id=None):
    "Checks none of the settings."
    return _loop(model, ids, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, eos_id,
                 validate=False)

@mistake("generate_ids")
def returns_a_list(model, ids, max_new_tokens=50, temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.0,
                   seed=0, eos_id=None):
    "Returns the whole list at the end instead of streaming the ids."
    return list(_loop(model, ids, max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed, eos_id))
