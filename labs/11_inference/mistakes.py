# Plausible wrong answers to lab 11. Each runs in the kernel that ran the solution (it sees its globals: torch, math,
# apply_rope, split_heads, merge_heads, CachedLM, new_caches, the solution's functions) and must lose visible points
# of its exercise. `mistake` is injected by the grader.

# --- kv_attention_step --------------------------------------------------------------------------------------------
def _attend(
    q,
    k_new,
    v_new,
    k_cache,
    v_cache,
    offset=True,
    scale=True,
    interleave=True,
    new_first=False,
    return_repeated=False,
    mask=True,
):
    "The attention step with one thing changed."
    if k_cache is None:
        k, v = k_new, v_new
    elif new_first:
        k, v = torch.cat([k_new, k_cache], dim=-2), torch.cat([v_new, v_cache], dim=-2)
    else:
        k, v = torch.cat([k_cache, k_new], dim=-2), torch.cat([v_cache, v_new], dim=-2)
    rep = q.shape[1] // k.shape[1]
    if interleave:
        kr, vr = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
    else:
        kr, vr = k.repeat(1, rep, 1, 1), v.repeat(1, rep, 1, 1)
    n_new, n_all = q.shape[-2], k.shape[-2]
    scores = q @ kr.transpose(-2, -1)
    if scale:
        scores = scores / math.sqrt(q.shape[-1])
    if mask:
        allowed = torch.ones(n_new, n_all, dtype=torch.bool).tril(n_all - n_new if offset else 0)
        scores = scores.masked_fill(~allowed, float("-inf"))
    out = scores.softmax(-1) @ vr
    return (out, kr, vr) if return_repeated else (out, k, v)


@mistake("kv_attention_step")
def mask_not_offset(q, k_new, v_new, k_cache, v_cache):
    "Aligns the causal mask to the start, hiding cached keys from the new queries."
    return _attend(q, k_new, v_new, k_cache, v_cache, offset=False)


@mistake("kv_attention_step")
def no_scale(q, k_new, v_new, k_cache, v_cache):
    "Forgets to divide the scores by sqrt(head_dim)."
    return _attend(q, k_new, v_new, k_cache, v_cache, scale=False)


@mistake("kv_attention_step")
def kv_heads_tiled_not_interleaved(q, k_new, v_new, k_cache, v_cache):
    "Repeats the key/value heads as [a, b, a, b] instead of [a, a, b, b]."
    return _attend(q, k_new, v_new, k_cache, v_cache, interleave=False)


@mistake("kv_attention_step")
def returns_repeated_cache(q, k_new, v_new, k_cache, v_cache):
    "Returns the GQA-repeated keys and values as the cache."
    return _attend(q, k_new, v_new, k_cache, v_cache, return_repeated=True)


@mistake("kv_attention_step")
def new_keys_before_cache(q, k_new, v_new, k_cache, v_cache):
    "Puts the new keys before the cached ones."
    return _attend(q, k_new, v_new, k_cache, v_cache, new_first=True)


@mistake("kv_attention_step")
def no_causal_mask(q, k_new, v_new, k_cache, v_cache):
    "Lets every new query see every new key, later ones included."
    return _attend(q, k_new, v_new, k_cache, v_cache, mask=False)


# --- forward_cached -----------------------------------------------------------------------------------------------
def _forward(
    model, ids, caches, rope_from_zero=False, keys_unrotated=False, validate=True, mlp_norm=True, final_norm=True
):
    "The cached forward with one thing changed."
    start, n = caches[0].length, ids.shape[1]
    if validate and start + n > model.cfg.max_seq_len:
        raise ValueError(f"exceeds max_seq_len={model.cfg.max_seq_len}")
    first = 0 if rope_from_zero else start
    cos, sin = model.cos[first : first + n], model.sin[first : first + n]
    x = model.embed(ids)
    for block, cache in zip(model.blocks, caches):
        attn, h = block.attn, block.attn_norm(x)
        q = apply_rope(split_heads(attn.q_proj(h), attn.n_heads), cos, sin)
        k_raw = split_heads(attn.k_proj(h), attn.n_kv_heads)
        k = apply_rope(k_raw, cos, sin)
        v = split_heads(attn.v_proj(h), attn.n_kv_heads)
        out, cache.k, cache.v = kv_attention_step(q, k_raw if keys_unrotated else k, v, cache.k, cache.v)
        x = x + attn.o_proj(merge_heads(out))
        x = x + block.mlp(block.mlp_norm(x) if mlp_norm else x)
    return model.lm_head(model.norm(x) if final_norm else x)


@mistake("forward_cached")
def rope_positions_from_zero(model, ids, caches):
    "Gives the new tokens the RoPE angles of positions 0..n-1 instead of their absolute positions."
    return _forward(model, ids, caches, rope_from_zero=True)


@mistake("forward_cached")
def rope_on_queries_only(model, ids, caches):
    "Rotates the queries but caches and attends to unrotated keys."
    return _forward(model, ids, caches, keys_unrotated=True)


@mistake("forward_cached")
def no_length_check(model, ids, caches):
    "Does not check the context length (RoPE tables run out with a shape error)."
    return _forward(model, ids, caches, validate=False)


@mistake("forward_cached")
def mlp_without_its_norm(model, ids, caches):
    "Feeds the residual stream to the MLP without mlp_norm."
    return _forward(model, ids, caches, mlp_norm=False)


@mistake("forward_cached")
def no_final_norm(model, ids, caches):
    "Applies the output head without the final RMSNorm."
    return _forward(model, ids, caches, final_norm=False)


# --- generate_greedy ----------------------------------------------------------------------------------------------
def _check_prompt(model, x, max_new_tokens):
    if x.shape[1] < 1:
        raise ValueError("the prompt is empty")
    if max_new_tokens < 0:
        raise ValueError("max_new_tokens must be >= 0")
    if x.shape[1] + max_new_tokens > model.cfg.max_seq_len:
        raise ValueError("exceeds max_seq_len")


@mistake("generate_greedy")
@torch.no_grad()
def full_forward_each_step(model, ids, max_new_tokens):
    "Reruns the model on the whole sequence every step (no cache)."
    x = torch.as_tensor(ids, dtype=torch.long)
    x = x[None] if x.dim() == 1 else x
    _check_prompt(model, x, max_new_tokens)
    out = x
    for _ in range(max_new_tokens):
        out = torch.cat([out, model(out)[:, -1].argmax(-1, keepdim=True)], dim=1)
    new = out[:, x.shape[1] :]
    return new[0].tolist() if isinstance(ids, list) else new


@mistake("generate_greedy")
@torch.no_grad()
def refeeds_prompt_into_cache(model, ids, max_new_tokens):
    "Feeds the prompt plus the new token into the same caches every step."
    x = torch.as_tensor(ids, dtype=torch.long)
    x = x[None] if x.dim() == 1 else x
    _check_prompt(model, x, max_new_tokens)
    caches, out = new_caches(model), x
    for _ in range(max_new_tokens):
        if caches[0].length + out.shape[1] > model.cfg.max_seq_len:
            caches = new_caches(model)
        step = forward_cached(model, out if caches[0].length == 0 else torch.cat([x, out[:, -1:]], 1), caches)
        out = torch.cat([out, step[:, -1].argmax(-1, keepdim=True)], dim=1)
    new = out[:, x.shape[1] :]
    return new[0].tolist() if isinstance(ids, list) else new


@mistake("generate_greedy")
def returns_prompt_too(model, ids, max_new_tokens):
    "Returns the prompt followed by the new tokens."
    new = generate_greedy(model, ids, max_new_tokens)
    return list(ids) + new if isinstance(ids, list) else torch.cat([torch.as_tensor(ids), new], dim=1)


@mistake("generate_greedy")
def one_token_short(model, ids, max_new_tokens):
    "Generates max_new_tokens - 1 tokens."
    if max_new_tokens < 1:
        return generate_greedy(model, ids, max_new_tokens)
    return generate_greedy(model, ids, max_new_tokens - 1)


@mistake("generate_greedy")
@torch.no_grad()
def no_validation_generate(model, ids, max_new_tokens):
    "Checks nothing: an empty prompt or a too-long request fails somewhere inside."
    x = torch.as_tensor(ids, dtype=torch.long)
    x = x[None] if x.dim() == 1 else x
    caches, step, new = new_caches(model), x, []
    for _ in range(max_new_tokens):
        step = forward_cached(model, step, caches)[:, -1].argmax(-1, keepdim=True)
        new.append(step)
    out = torch.cat(new, dim=1) if new else x[:, :0]
    return out[0].tolist() if isinstance(ids, list) else out


# --- accept_reject ------------------------------------------------------------------------------------------------
def _rule(p, q, x, u, ratio_qp=False, clamp=True, residual_q_minus_p=False, from_p=False):
    ratio = q[x] / p[x] if ratio_qp else p[x] / q[x]
    if u[0] < ratio:
        return int(x), True
    r = (q - p) if residual_q_minus_p else (p if from_p else p - q)
    r = r.clamp_min(0) if clamp else r
    cdf = r.cumsum(0)
    return min(int(torch.searchsorted(cdf, u[1] * cdf[-1], right=True)), len(p) - 1), False


@mistake("accept_reject")
def ratio_upside_down(p, q, draft_token, generator=None, u=None):
    "Accepts when u < q/p instead of p/q."
    return _rule(p, q, draft_token, u if u is not None else torch.rand(2, generator=generator).tolist(), ratio_qp=True)


@mistake("accept_reject")
def residual_not_clamped(p, q, draft_token, generator=None, u=None):
    "Draws from p - q without clipping the negative part."
    return _rule(p, q, draft_token, u if u is not None else torch.rand(2, generator=generator).tolist(), clamp=False)


@mistake("accept_reject")
def resamples_from_p(p, q, draft_token, generator=None, u=None):
    "On rejection draws from p itself rather than the residual max(0, p - q)."
    return _rule(p, q, draft_token, u if u is not None else torch.rand(2, generator=generator).tolist(), from_p=True)


@mistake("accept_reject")
def residual_q_minus_p(p, q, draft_token, generator=None, u=None):
    "Takes the residual as max(0, q - p)."
    return _rule(
        p, q, draft_token, u if u is not None else torch.rand(2, generator=generator).tolist(), residual_q_minus_p=True
    )


# --- expected_tokens_per_step -------------------------------------------------------------------------------------
@mistake("expected_tokens_per_step")
def forgets_the_target_token(alpha, gamma):
    "Sums the series to gamma - 1 instead of gamma: (1 - alpha**gamma) / (1 - alpha)."
    return float(gamma) if alpha >= 1 else (1 - alpha**gamma) / (1 - alpha)


@mistake("expected_tokens_per_step")
def no_alpha_one_case(alpha, gamma):
    "Divides by 1 - alpha even when alpha is 1."
    return (1 - alpha ** (gamma + 1)) / (1 - alpha)


@mistake("expected_tokens_per_step")
def counts_accepted_drafts_only(alpha, gamma):
    "Returns the expected accepted drafts, without the target's own token."
    return float(gamma) if alpha >= 1 else alpha * (1 - alpha**gamma) / (1 - alpha)


# --- speculative_generate -----------------------------------------------------------------------------------------
@torch.no_grad()
def _speculate(
    target,
    draft,
    ids,
    max_new_tokens,
    gamma,
    bonus=True,
    draft_on_mismatch=False,
    rollback=True,
    pass_per_draft=False,
    count_bonus=False,
    validate=True,
):
    "Greedy speculative decoding with one thing changed."
    t = CachedLM(target)
    d = CachedLM(draft) if isinstance(draft, torch.nn.Module) else draft
    if validate:
        if d.vocab_size != t.vocab_size:
            raise ValueError("the vocabularies differ")
        if gamma < 1:
            raise ValueError("gamma must be >= 1")
    if not ids or len(ids) + max_new_tokens > target.cfg.max_seq_len:
        raise ValueError("exceeds max_seq_len")
    d.rollback(0)
    out, n0, stats = list(ids), len(ids), dict(steps=0, accepted=0)
    while len(out) - n0 < max_new_tokens:
        g = max(0, min(gamma, max_new_tokens - (len(out) - n0) - 1))
        drafts = []
        for i in range(g):
            drafts.append(int(d.extend(out[d.length :] if i == 0 else drafts[-1:])[-1].argmax()))
        if pass_per_draft:
            rows = [t.extend(out[t.length :])[-1]]
            for x in drafts:
                rows.append(t.extend([x])[-1])
            stats["steps"] += len(drafts)
            best = torch.stack(rows).argmax(-1).tolist()
        else:
            best = t.extend(out[t.length :] + drafts)[-(g + 1) :].argmax(-1).tolist()
        n_ok = 0
        while n_ok < g and drafts[n_ok] == best[n_ok]:
            n_ok += 1
        if n_ok == g and not bonus and g > 0:
            out += drafts
        else:
            out += drafts[:n_ok] + [drafts[n_ok] if draft_on_mismatch and n_ok < g else best[n_ok]]
        stats["steps"] += 1
        stats["accepted"] += n_ok + (1 if count_bonus else 0)
        if rollback:
            t.rollback(len(out) - 1)
            d.rollback(min(d.length, len(out) - 1))
    return out[n0 : n0 + max_new_tokens], stats


@mistake("speculative_generate")
def no_bonus_token(target, draft, ids, max_new_tokens, gamma=4):
    "When every draft is accepted, drops the target's bonus token (one more pass is needed for it)."
    return _speculate(target, draft, ids, max_new_tokens, gamma, bonus=False)


@mistake("speculative_generate")
def keeps_draft_at_mismatch(target, draft, ids, max_new_tokens, gamma=4):
    "At the first disagreement keeps the draft's token instead of the target's."
    return _speculate(target, draft, ids, max_new_tokens, gamma, draft_on_mismatch=True)


@mistake("speculative_generate")
def no_rollback(target, draft, ids, max_new_tokens, gamma=4):
    "Never rolls the caches back: rejected drafts stay in the target's cache."
    return _speculate(target, draft, ids, max_new_tokens, gamma, rollback=False)


@mistake("speculative_generate")
def one_target_pass_per_draft(target, draft, ids, max_new_tokens, gamma=4):
    "Verifies each draft token with its own target pass (no speed-up)."
    return _speculate(target, draft, ids, max_new_tokens, gamma, pass_per_draft=True)


@mistake("speculative_generate")
def counts_target_token_as_accepted(target, draft, ids, max_new_tokens, gamma=4):
    "Counts the target's own token of each step among the accepted drafts."
    return _speculate(target, draft, ids, max_new_tokens, gamma, count_bonus=True)


@mistake("speculative_generate")
def no_validation_speculative(target, draft, ids, max_new_tokens, gamma=4):
    "Accepts gamma < 1 and a draft with another vocabulary."
    return _speculate(target, draft, ids, max_new_tokens, gamma, validate=False)
